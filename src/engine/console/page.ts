/**
 * The dev console's page: one HTML document, inline CSS and script, no dependencies. It follows
 * `/api/events` (server-sent events, about once a second) and draws calls per second and latency
 * on a canvas.
 */

const STYLE = `
:root { color-scheme: light dark; --bg: #f7f7fb; --card: #fff; --line: #e3e3ea; --text: #1d1d27; --muted: #6b6b7b; --accent: #4f46e5; --bad: #dc2626; }
@media (prefers-color-scheme: dark) { :root { --bg: #111118; --card: #1b1b24; --line: #2c2c38; --text: #ececf3; --muted: #9a9aab; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; align-items: center; gap: 12px; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 16px; margin: 0; }
#status { margin-left: auto; font-size: 12px; padding: 2px 10px; border-radius: 999px; background: var(--line); }
#status[data-live="true"] { background: #16a34a; color: #fff; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; display: flex; gap: 8px; align-items: baseline; }
h2 .count { font-weight: normal; }
.scroll { max-height: 260px; overflow: auto; }
table { width: 100%; border-collapse: collapse; font-size: 12.5px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; position: sticky; top: 0; background: var(--card); }
td { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
tr.error td { color: var(--bad); }
.empty { color: var(--muted); font-style: italic; }
canvas { width: 100%; height: 160px; display: block; }
.legend { display: flex; gap: 16px; font-size: 12px; color: var(--muted); }
.legend b { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
select { font: inherit; padding: 2px 6px; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--text); }
`;

const SCRIPT = `
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var scope = '';
  var source = null;

  function cell(value) {
    if (value === null || value === undefined) return '';
    var text = typeof value === 'string' ? value : JSON.stringify(value);
    return text.length > 160 ? text.slice(0, 157) + '…' : text;
  }

  /** Finds the list inside a function's answer: the array itself, or its first array field. */
  function rows(value) {
    if (Array.isArray(value)) return value;
    if (value && typeof value === 'object') {
      for (var key in value) if (Array.isArray(value[key])) return value[key];
    }
    return [];
  }

  function table(id, list, columns, rowClass) {
    var target = $(id);
    var count = $(id + '-count');
    if (count) count.textContent = '(' + list.length + ')';
    target.textContent = '';
    if (list.length === 0) { var p = document.createElement('p'); p.className = 'empty'; p.textContent = 'none'; target.appendChild(p); return; }
    var cols = columns || Object.keys(list[0]).slice(0, 6);
    var t = document.createElement('table');
    var head = t.insertRow();
    cols.forEach(function (c) { var th = document.createElement('th'); th.textContent = c; head.appendChild(th); });
    list.forEach(function (item) {
      var tr = t.insertRow();
      if (rowClass) tr.className = rowClass(item);
      cols.forEach(function (c) { tr.insertCell().textContent = cell(typeof item === 'object' && item !== null ? item[c] : item); });
    });
    target.appendChild(t);
  }

  function scopes(snapshot) {
    var list = rows(snapshot.scopes).map(function (s) { return typeof s === 'string' ? s : s.scope || s.id || s.name; });
    var select = $('scope');
    var current = select.value;
    var names = Array.prototype.map.call(select.options, function (o) { return o.value; }).slice(1);
    if (names.join('\\u0000') !== list.join('\\u0000')) {
      while (select.options.length > 1) select.remove(1);
      list.forEach(function (name) { var o = document.createElement('option'); o.value = o.textContent = name; select.appendChild(o); });
      select.value = list.indexOf(current) >= 0 ? current : '';
    }
  }

  function chart(series) {
    var canvas = $('chart');
    var ratio = window.devicePixelRatio || 1;
    var w = canvas.clientWidth, h = canvas.clientHeight;
    canvas.width = w * ratio; canvas.height = h * ratio;
    var g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.clearRect(0, 0, w, h);
    var style = getComputedStyle(document.documentElement);
    var maxCalls = Math.max(1, Math.max.apply(null, series.map(function (p) { return p.calls; })));
    var maxMs = Math.max(1, Math.max.apply(null, series.map(function (p) { return p.meanMs; })));
    var step = w / Math.max(1, series.length);
    g.fillStyle = style.getPropertyValue('--accent');
    series.forEach(function (p, i) {
      var bh = (p.calls / maxCalls) * (h - 20);
      g.globalAlpha = 0.35; g.fillRect(i * step + 1, h - bh, step - 2, bh);
      if (p.errors > 0) { g.globalAlpha = 0.9; g.fillStyle = style.getPropertyValue('--bad'); g.fillRect(i * step + 1, h - (p.errors / maxCalls) * (h - 20), step - 2, (p.errors / maxCalls) * (h - 20)); g.fillStyle = style.getPropertyValue('--accent'); }
    });
    g.globalAlpha = 1; g.strokeStyle = '#f59e0b'; g.lineWidth = 2; g.beginPath();
    series.forEach(function (p, i) { var x = i * step + step / 2, y = h - (p.meanMs / maxMs) * (h - 20); if (i === 0) g.moveTo(x, y); else g.lineTo(x, y); });
    g.stroke();
    g.fillStyle = style.getPropertyValue('--muted'); g.font = '11px system-ui';
    g.fillText(maxCalls + ' calls/s', 4, 12);
    var ms = maxMs.toFixed(maxMs < 10 ? 2 : 0) + ' ms';
    g.fillText(ms, w - g.measureText(ms).width - 4, 12);
    var last = series[series.length - 1] || { calls: 0, meanMs: 0 };
    $('rate').textContent = last.calls + ' calls/s, mean ' + last.meanMs.toFixed(2) + ' ms';
  }

  function render(data) {
    var s = data.snapshot;
    $('status').textContent = 'live · ' + s.at.slice(11, 19);
    $('status').dataset.live = 'true';
    table('workers', rows(s.workers), ['name', 'id', 'status', 'function_count', 'runtime']);
    table('functions', rows(s.functions), ['function_id', 'description']);
    table('triggers', rows(s.triggers), ['id', 'trigger_type', 'function_id', 'config']);
    table('subscribers', s.streams.subscribers, ['stream', 'group', 'subscribers']);
    table('stream-groups', rows(s.streams.groups));
    table('invocations', s.invocations.map(function (c) {
      return { time: new Date(c.at).toISOString().slice(11, 23), function: c.functionId, ms: c.durationMs.toFixed(2), error: c.error || '' };
    }), ['time', 'function', 'ms', 'error'], function (row) { return row.error ? 'error' : ''; });
    table('cursors', rows(s.reactions.cursors));
    table('dead-letters', rows(s.reactions.deadLetters));
    scopes(s);
    if (data.scope) table('items', rows(data.items));
    chart(s.series);
  }

  function connect() {
    if (source) source.close();
    source = new EventSource('/api/events' + (scope ? '?scope=' + encodeURIComponent(scope) : ''));
    source.onmessage = function (event) { render(JSON.parse(event.data)); };
    source.onerror = function () { $('status').textContent = 'reconnecting…'; $('status').dataset.live = 'false'; };
  }

  $('scope').addEventListener('change', function () {
    scope = $('scope').value;
    $('items').textContent = scope ? '' : 'choose a scope';
    connect();
  });
  connect();
})();
`;

function section(id: string, title: string, wide = false): string {
  return `<section${wide ? ' class="wide"' : ''} aria-labelledby="${id}-title"><h2 id="${id}-title">${title} <span class="count" id="${id}-count"></span></h2><div class="scroll" id="${id}"></div></section>`;
}

export function renderConsolePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>iii dev console</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><h1>iii dev console</h1><span>read-only · this engine</span><span id="status" role="status">connecting…</span></header>
<main>
  <section class="wide" aria-labelledby="chart-title">
    <h2 id="chart-title">Invocations <span class="count" id="rate"></span></h2>
    <div class="legend"><span><b style="background:#4f46e5;opacity:.5"></b>calls per second</span><span><b style="background:#dc2626"></b>errors</span><span><b style="background:#f59e0b"></b>mean latency</span></div>
    <canvas id="chart" aria-label="calls per second and mean latency, last minute"></canvas>
  </section>
  ${section('invocations', 'Recent invocations', true)}
  ${section('workers', 'Workers')}
  ${section('functions', 'Functions')}
  ${section('triggers', 'Triggers', true)}
  <section aria-labelledby="items-title"><h2 id="items-title">State <select id="scope" aria-label="scope"><option value="">choose a scope</option></select> <span class="count" id="items-count"></span></h2><div class="scroll" id="items">choose a scope</div></section>
  ${section('subscribers', 'Stream subscribers')}
  ${section('stream-groups', 'Stream groups')}
  ${section('cursors', 'Reaction lag (cursors)')}
  ${section('dead-letters', 'Dead letters')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
