/**
 * The todo page: one HTML document with inline CSS and script, so users need no build step.
 * It loads the shared StreamClient from `CLIENT_SCRIPT_PATH`, mirrors `todos-live/all` into a live
 * Map, follows `todos-live/metrics/global`, and writes through the REST API only: the list on screen
 * changes when the stream says so, which is what keeps two tabs in agreement.
 */
import { METRICS_GROUP, METRICS_KEY } from '../metrics/metrics.entity';
import { ALL_GROUP, TITLE_MAX_LENGTH, TODOS_STREAM } from '../todos/todo.entity';
import { CLIENT_GLOBAL } from './client-script';

export const CLIENT_SCRIPT_PATH = '/assets/stream-client.js';

export interface PageConfig {
  /** Port of the stream listener; the page pairs it with its own hostname. */
  streamPort: number | null;
  /** Full stream URL, when the stream listener is not on the page's host. */
  streamUrl: string | null;
}

export function renderIndexPage(config: PageConfig): string {
  // `<` escaped so a value can never close the script element it sits in.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Todos · iii</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <h1>Todos <small id="connection" data-status="idle">idle</small></h1>
  <section id="metrics" aria-label="metrics">
    <div><b id="metric-total">0</b> total</div>
    <div><b id="metric-active">0</b> active</div>
    <div><b id="metric-completed">0</b> completed</div>
  </section>
  <form id="add-form" autocomplete="off">
    <input id="new-title" name="title" placeholder="What needs doing?" maxlength="${TITLE_MAX_LENGTH}" required>
    <button type="submit">Add</button>
  </form>
  <p id="error" role="alert" hidden></p>
  <ul id="todo-list"></ul>
  <p id="empty">Nothing to do.</p>
</main>
<script type="application/json" id="iii-config">${json}</script>
<script src="${CLIENT_SCRIPT_PATH}"></script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #f5f5f5; color: #222; }
main { max-width: 36rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 8px; }
h1 small { font-size: .8rem; font-weight: normal; color: #888; }
#connection[data-status="open"] { color: #2a7; }
#metrics { display: flex; gap: 1.5rem; margin-bottom: 1rem; }
form { display: flex; gap: .5rem; }
#new-title { flex: 1; padding: .4rem; }
ul { list-style: none; padding: 0; }
li { display: flex; align-items: center; gap: .5rem; padding: .4rem 0; border-bottom: 1px solid #eee; }
li .title { flex: 1; overflow-wrap: anywhere; }
li.completed .title { text-decoration: line-through; color: #999; }
#error { color: #b00; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var lib = window.${CLIENT_GLOBAL};
  var config = JSON.parse(document.getElementById('iii-config').textContent);
  var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  var streamUrl = config.streamUrl || scheme + location.hostname + ':' + config.streamPort + '/';
  var $ = function (id) { return document.getElementById(id); };

  var client = new lib.StreamClient(streamUrl, {
    onStatus: function (status) { $('connection').textContent = status; $('connection').dataset.status = status; }
  });
  var todos = new lib.LiveGroup(client, { stream: '${TODOS_STREAM}', group: '${ALL_GROUP}' }, { onChange: renderTodos });
  client.join({ stream: '${TODOS_STREAM}', group: '${METRICS_GROUP}', item: '${METRICS_KEY}' }, {
    onSync: renderMetrics, onCreate: renderMetrics, onUpdate: renderMetrics,
    onDelete: function () { renderMetrics(null); }
  });

  function renderMetrics(m) {
    m = m || { total: 0, active: 0, completed: 0 };
    $('metric-total').textContent = String(m.total);
    $('metric-active').textContent = String(m.active);
    $('metric-completed').textContent = String(m.completed);
  }

  function renderTodos() {
    var list = todos.values().sort(function (a, b) {
      return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
    });
    var ul = $('todo-list');
    ul.textContent = '';
    list.forEach(function (todo) { ul.appendChild(renderTodo(todo)); });
    $('empty').hidden = list.length > 0;
  }

  function renderTodo(todo) {
    var li = document.createElement('li');
    li.dataset.id = todo.id;
    li.className = todo.completed ? 'todo completed' : 'todo';
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.className = 'toggle';
    box.checked = !!todo.completed;
    box.setAttribute('aria-label', 'completed');
    box.addEventListener('change', function () { send('PATCH', '/todos/' + encodeURIComponent(todo.id), { completed: box.checked }); });
    var title = document.createElement('span');
    title.className = 'title';
    title.textContent = todo.title; // text, never HTML: titles are user input
    var del = document.createElement('button');
    del.type = 'button';
    del.className = 'delete';
    del.textContent = 'Delete';
    del.addEventListener('click', function () { send('DELETE', '/todos/' + encodeURIComponent(todo.id)); });
    li.append(box, title, del);
    return li;
  }

  $('add-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = $('new-title');
    send('POST', '/todos', { title: input.value }).then(function (ok) { if (ok) input.value = ''; });
  });

  function send(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      if (res.ok) { showError(''); return true; }
      return res.json().catch(function () { return {}; }).then(function (err) {
        var msg = Array.isArray(err.message) ? err.message.join(', ') : err.message;
        showError(msg || ('Request failed: ' + res.status));
        return false;
      });
    }, function (e) { showError(String(e)); return false; });
  }

  function showError(text) { $('error').textContent = text; $('error').hidden = !text; }
  renderTodos();
  renderMetrics(null);
})();
`;
