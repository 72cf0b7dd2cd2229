import { ENGINE_VERSION } from '../../core/engine-core';
import type { EngineContext } from '../../core/types';
import { isPlainObject } from '../../core/ids';
import type { BuiltinFunction, BuiltinTriggerType, TriggerRecord } from '../../core/types';
import { TriggerSet } from './discovery';
import { InputReader } from './input';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];
const SEVERITY: Record<Level, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17 };

/** One stored log record (a trimmed OTel log record). */
export interface LogRecord {
  timestamp_unix_nano: number;
  observed_timestamp_unix_nano: number;
  severity_number: number;
  severity_text: string;
  body: string;
  attributes: Record<string, unknown>;
  trace_id: string | null;
  span_id: string | null;
  resource: Record<string, unknown>;
  service_name: string | null;
  instrumentation_scope_name: string | null;
  instrumentation_scope_version: string | null;
}

/** Fixed-capacity ring: the newest records win, memory stays bounded. */
export class LogRing {
  private readonly items: LogRecord[] = [];

  constructor(readonly capacity = 1000) {}

  push(record: LogRecord): void {
    this.items.push(record);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  list(): readonly LogRecord[] {
    return this.items;
  }

  clear(): void {
    this.items.length = 0;
  }
}

function toAttributes(data: unknown): Record<string, unknown> {
  if (data === undefined || data === null) return {};
  if (isPlainObject(data)) return { ...data };
  return { data };
}

/** `iii-observability` built-ins we support: `engine::log::*`, health, baggage, `log` trigger type. */
export class Observability {
  readonly logs = new LogRing();
  private readonly logTriggers = new TriggerSet();

  constructor(private readonly ctx: EngineContext) {}

  triggerTypes(): BuiltinTriggerType[] {
    return [{ id: 'log', description: 'Log event trigger', provider: this.logTriggers.provider }];
  }

  functions(): BuiltinFunction[] {
    const logFns = LEVELS.map<BuiltinFunction>((level) => ({
      id: `engine::log::${level}`,
      description: `Record a ${level} log entry`,
      handler: (data) => {
        this.log(level, data);
        return undefined;
      },
    }));
    return [
      ...logFns,
      { id: 'engine::health::check', description: 'Engine health', handler: () => this.health() },
      {
        id: 'engine::baggage::get',
        description: 'Read a baggage entry (diagnostic)',
        handler: (data) => {
          new InputReader('engine::baggage::get', data).string('key');
          return { value: null };
        },
      },
      {
        id: 'engine::baggage::set',
        description: 'Set a baggage entry (diagnostic)',
        handler: (data) => {
          const input = new InputReader('engine::baggage::set', data);
          input.string('key');
          input.string('value');
          return { success: true, note: 'Baggage is propagated by the caller; the engine does not keep it.' };
        },
      },
      { id: 'engine::baggage::get_all', description: 'All baggage entries (diagnostic)', handler: () => ({ baggage: {} }) },
      {
        id: 'engine::logs::list',
        description: 'Stored log records',
        handler: () => ({ logs: [...this.logs.list()] }),
      },
      {
        id: 'engine::logs::clear',
        description: 'Clear stored log records',
        handler: () => {
          this.logs.clear();
          return { success: true };
        },
      },
    ];
  }

  private log(level: Level, data: unknown): void {
    const input = new InputReader(`engine::log::${level}`, data);
    const nowNs = Date.now() * 1_000_000;
    const record: LogRecord = {
      timestamp_unix_nano: nowNs,
      observed_timestamp_unix_nano: nowNs,
      severity_number: SEVERITY[level],
      severity_text: level.toUpperCase(),
      body: input.string('message'),
      attributes: toAttributes(input.raw('data')),
      trace_id: input.optString('trace_id') ?? null,
      span_id: input.optString('span_id') ?? null,
      resource: {},
      service_name: input.optString('service_name') ?? null,
      instrumentation_scope_name: null,
      instrumentation_scope_version: null,
    };
    this.logs.push(record);
    const matching = this.logTriggers.list().filter((trigger) => levelMatches(trigger, level));
    if (matching.length > 0) this.ctx.fire(matching, record);
  }

  private health(): unknown {
    const disabled = { status: 'disabled', details: null };
    return {
      status: 'healthy',
      components: {
        otel: disabled,
        metrics: disabled,
        logs: { status: 'healthy', details: { stored: this.logs.list().length, capacity: this.logs.capacity } },
        spans: disabled,
      },
      timestamp: Date.now(),
      version: ENGINE_VERSION,
    };
  }
}

function levelMatches(trigger: TriggerRecord, level: Level): boolean {
  const wanted = isPlainObject(trigger.config) ? trigger.config.level : undefined;
  return wanted === undefined || wanted === null || wanted === 'all' || wanted === level;
}
