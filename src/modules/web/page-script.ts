/**
 * The page's script (plain ES5, no build step). It mirrors `todos-live/all` into a live Map,
 * follows `todos-live/metrics/global`, and writes through the REST API only: the list on screen
 * changes when the stream says so, which is what keeps two tabs in agreement.
 *
 * Its JSDoc types come from the generated client (`src/generated/api.ts`): a test type-checks the
 * script against it (`checkJs`), so a changed route, DTO or streamed type breaks the page's check.
 */
import { METRICS_GROUP, METRICS_KEY } from '../metrics/metrics.entity';
import { ALL_GROUP, TITLE_MAX_LENGTH, TODOS_STREAM } from '../todos/todo.entity';
import { CLIENT_GLOBAL } from './client-script';

/** What the connection indicator says for each `StreamClient` status. */
export const CONNECTION_LABELS: Readonly<Record<string, string>> = {
  idle: 'connecting…',
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'offline',
};

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  /** @typedef {import('../../generated/api').Todo} Todo */
  /** @typedef {import('../../generated/api').StreamItem<'${TODOS_STREAM}', '${METRICS_GROUP}'>} Metrics */
  /** @typedef {import('../../generated/api').RouteKey} RouteKey */
  var lib = window.${CLIENT_GLOBAL};
  var config = JSON.parse(document.getElementById('iii-config').textContent);
  var labels = ${JSON.stringify(CONNECTION_LABELS)};
  var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  var streamUrl = config.streamUrl || scheme + location.hostname + ':' + config.streamPort + '/';
  var $ = function (id) { return document.getElementById(id); };
  /** The todo whose title is being edited: { id, draft }, kept across re-renders. */
  var editing = null;
  var rendering = false;

  var client = new lib.StreamClient(streamUrl, { onStatus: showStatus });
  /** @type {import('../../client').LiveGroup<import('../../generated/api').StreamItem<'${TODOS_STREAM}', '${ALL_GROUP}'>>} */
  var todos = new lib.LiveGroup(client, { stream: '${TODOS_STREAM}', group: '${ALL_GROUP}' }, { onChange: renderTodos });
  client.join({ stream: '${TODOS_STREAM}', group: '${METRICS_GROUP}', item: '${METRICS_KEY}' }, {
    onSync: renderMetrics, onCreate: renderMetrics, onUpdate: renderMetrics,
    onDelete: function () { renderMetrics(null); }
  });

  function showStatus(status) {
    var el = $('connection');
    el.dataset.status = status;
    el.textContent = labels[status] || status;
    el.title = status === 'open' ? 'Changes appear as they happen' : 'Changes will appear when the connection is back';
  }

  /** @param {Metrics | null} m */
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
    if (editing && !todos.items.has(editing.id)) editing = null; // deleted elsewhere meanwhile
    rendering = true;
    var ul = $('todo-list');
    ul.textContent = '';
    list.forEach(function (todo) { ul.appendChild(renderTodo(todo)); });
    rendering = false;
    $('empty').hidden = list.length > 0;
    var input = /** @type {HTMLInputElement | null} */ (ul.querySelector('.edit-title'));
    if (input) { input.focus(); input.setSelectionRange(input.value.length, input.value.length); }
  }

  function button(className, text, label, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'ghost ' + className;
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  /** @param {Todo} todo */
  function renderTodo(todo) {
    var li = document.createElement('li');
    li.dataset.id = todo.id;
    li.className = todo.completed ? 'todo completed' : 'todo';
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.className = 'toggle';
    box.checked = !!todo.completed;
    box.setAttribute('aria-label', todo.completed ? 'mark as not done' : 'mark as done');
    box.addEventListener('change', function () { send('PATCH /todos/:id', { params: { id: todo.id }, body: { completed: box.checked } }); });
    li.appendChild(box);
    if (editing && editing.id === todo.id) {
      li.appendChild(editor(todo));
    } else {
      var title = document.createElement('span');
      title.className = 'title';
      title.textContent = todo.title; // text, never HTML: titles are user input
      title.title = 'Double-click to edit';
      title.addEventListener('dblclick', function () { startEdit(todo); });
      li.appendChild(title);
      li.appendChild(button('edit', 'Edit', 'edit title', function () { startEdit(todo); }));
    }
    li.appendChild(button('delete', 'Delete', 'delete', function () { send('DELETE /todos/:id', { params: { id: todo.id } }); }));
    return li;
  }

  /** @param {Todo} todo */
  function editor(todo) {
    var input = document.createElement('input');
    input.type = 'text';
    input.className = 'edit-title';
    input.value = editing.draft;
    input.maxLength = ${TITLE_MAX_LENGTH};
    input.setAttribute('aria-label', 'title');
    input.addEventListener('input', function () { editing.draft = input.value; });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); commitEdit(); }
      else if (event.key === 'Escape') { editing = null; renderTodos(); }
    });
    input.addEventListener('blur', function () { if (!rendering) commitEdit(); });
    return input;
  }

  /** @param {Todo} todo */
  function startEdit(todo) {
    editing = { id: todo.id, draft: todo.title };
    renderTodos();
  }

  function commitEdit() {
    if (!editing) return;
    var edit = editing;
    editing = null;
    var current = todos.items.get(edit.id);
    if (current && edit.draft.trim() !== '' && edit.draft !== current.title) {
      send('PATCH /todos/:id', { params: { id: edit.id }, body: { title: edit.draft } });
    }
    renderTodos();
  }

  $('add-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = /** @type {HTMLInputElement} */ ($('new-title'));
    send('POST /todos', { body: { title: input.value } }).then(function (ok) { if (ok) input.value = ''; });
  });

  /**
   * Calls a route by its key (\`'PATCH /todos/:id'\`), with the input the route takes.
   * @template {RouteKey} K
   * @param {K} route
   * @param {import('../../generated/api').RouteInput<K>} input
   * @returns {Promise<boolean>}
   */
  function send(route, input) {
    /** @type {{ params?: Record<string, string>, body?: unknown }} */
    var given = /** @type {any} */ (input);
    var space = route.indexOf(' ');
    var path = route.slice(space + 1).replace(/:([A-Za-z0-9_]+)/g, function (_match, name) {
      return encodeURIComponent(String((given.params || {})[name]));
    });
    /** @type {RequestInit & { headers: Record<string, string> }} */
    var init = { method: route.slice(0, space), headers: {} };
    if (given.body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(given.body); }
    return fetch(path, init).then(function (res) {
      if (res.ok) { showError(''); return true; }
      return res.json().catch(function () { return {}; }).then(function (err) {
        var msg = Array.isArray(err.message) ? err.message.join(', ') : err.message;
        showError(msg || ('Request failed: ' + res.status));
        return false;
      });
    }, function () { showError('Could not reach the server; try again when the connection is back.'); return false; });
  }

  function showError(text) { $('error').textContent = text; $('error').hidden = !text; }
  showStatus('connecting');
  renderTodos();
  renderMetrics(null);
})();
`;
