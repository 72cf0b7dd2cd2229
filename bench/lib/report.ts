/** What a scenario reports: one table of servers side by side, each figure also as a ratio to the peer. */
import type { ServerName } from './servers';

export interface Column {
  key: string;
  label: string;
}

export interface Row {
  server: ServerName | string;
  values: Record<string, number>;
}

/** A target from issue-level goals, checked only in full runs. */
export interface Target {
  what: string;
  /** The measured figure the target is about (a ratio or an absolute value). */
  measured: number;
  unit: 'x' | 'ms' | 'KiB';
  /** `measured` must be at least / at most `bound`. */
  atLeast?: number;
  atMost?: number;
}

export interface Section {
  id: string;
  title: string;
  /** The row every other row is divided by; absent when the table has no peer. */
  peer?: string;
  columns: Column[];
  rows: Row[];
  notes: string[];
  targets: Target[];
}

/** value / the peer's value of the same column (the peer itself shows 1.00). */
export function ratio(section: Section, server: string, key: string): number | undefined {
  const peerRow = section.rows.find((row) => row.server === section.peer);
  const row = section.rows.find((r) => r.server === server);
  const base = peerRow?.values[key];
  const value = row?.values[key];
  if (base === undefined || value === undefined || base === 0) return undefined;
  return value / base;
}

export function met(target: Target): boolean {
  return (
    (target.atLeast === undefined || target.measured >= target.atLeast) && (target.atMost === undefined || target.measured <= target.atMost)
  );
}

function figure(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(3)));
}

export function sectionMarkdown(section: Section, labels: Record<string, string>): string {
  const header = ['server', ...section.columns.map((c) => c.label)];
  const lines = [`### ${section.title}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of section.rows) {
    const cells = section.columns.map((c) => {
      const value = row.values[c.key];
      if (value === undefined) return '—';
      const r = section.peer !== undefined && row.server !== section.peer ? ratio(section, row.server, c.key) : undefined;
      return r === undefined ? figure(value) : `${figure(value)} (${r.toFixed(2)}×)`;
    });
    lines.push(`| ${labels[row.server] ?? row.server} | ${cells.join(' | ')} |`);
  }
  for (const note of section.notes) lines.push('', note);
  return lines.join('\n');
}

export function targetsMarkdown(sections: Section[], quick: boolean): string {
  const rows = sections.flatMap((s) => s.targets);
  if (rows.length === 0) return '';
  const bound = (t: Target): string =>
    (t.atLeast !== undefined ? `≥ ${t.atLeast}` : `≤ ${t.atMost}`) + (t.unit === 'x' ? '×' : ` ${t.unit}`);
  return [
    '### Targets',
    '',
    '| target | measured | bound | met |',
    '|---|---|---|---|',
    ...rows.map(
      (t) =>
        `| ${t.what} | ${figure(t.measured)}${t.unit === 'x' ? '×' : ` ${t.unit}`} | ${bound(t)} | ${quick ? 'smoke run' : met(t) ? 'yes' : 'no'} |`,
    ),
  ].join('\n');
}

/** Median of numbers (the middle one; the lower middle for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}
