/**
 * The todo page: one HTML document with inline CSS and script, so users need no build step. It
 * loads the shared StreamClient from `CLIENT_SCRIPT_PATH`; what it does is in `page-script.ts`,
 * how it looks in `page-style.ts`.
 */
import { TITLE_MAX_LENGTH } from '../todos/todo.entity';
import { PAGE_SCRIPT } from './page-script';
import { PAGE_STYLE } from './page-style';

export const CLIENT_SCRIPT_PATH = '/assets/stream-client.js';

/** A check mark in a rounded square, inline: the browser asks the server for no favicon. */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%234f46e5'/%3E%3Cpath d='M9 16.5l4.5 4.5L23 11.5' fill='none' stroke='white' stroke-width='3.5' stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E";

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
<link rel="icon" type="image/svg+xml" href="${FAVICON}">
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
  <header>
    <h1>Todos</h1>
    <span id="connection" data-status="idle" role="status" aria-live="polite">connecting…</span>
  </header>
  <section id="metrics" aria-label="metrics">
    <div><b id="metric-total">0</b> total</div>
    <div><b id="metric-active">0</b> active</div>
    <div><b id="metric-completed">0</b> completed</div>
  </section>
  <form id="add-form" autocomplete="off">
    <input id="new-title" name="title" placeholder="What needs doing?" aria-label="new todo" maxlength="${TITLE_MAX_LENGTH}" required>
    <button type="submit" class="primary">Add</button>
  </form>
  <p id="error" role="alert" hidden></p>
  <ul id="todo-list"></ul>
  <p id="empty">Nothing to do. Add something above.</p>
</main>
<script type="application/json" id="iii-config">${json}</script>
<script src="${CLIENT_SCRIPT_PATH}"></script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
