/** The page's stylesheet: plain CSS, system fonts, no framework; one column that fits a 375 px phone. */
export const PAGE_STYLE = `
:root {
  --bg: #f3f4f6; --card: #fff; --text: #1f2937; --muted: #6b7280; --line: #e5e7eb;
  --accent: #4f46e5; --accent-dark: #4338ca; --ok: #059669; --warn: #d97706; --danger: #dc2626;
  color-scheme: light;
}
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: var(--bg); color: var(--text); }
main { max-width: 36rem; margin: 2rem auto; padding: 1.5rem; background: var(--card); border-radius: 12px;
  box-shadow: 0 1px 3px rgba(0,0,0,.08), 0 8px 24px rgba(0,0,0,.04); }
header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; margin-bottom: 1rem; }
h1 { font-size: 1.5rem; margin: 0; }
#connection { display: inline-flex; align-items: center; gap: .4rem; font-size: .85rem; color: var(--muted);
  padding: .2rem .6rem; border-radius: 999px; background: var(--bg); white-space: nowrap; }
#connection::before { content: ""; width: .55rem; height: .55rem; border-radius: 50%; background: var(--muted); }
#connection[data-status="open"] { color: var(--ok); }
#connection[data-status="open"]::before { background: var(--ok); }
#connection[data-status="reconnecting"], #connection[data-status="connecting"] { color: var(--warn); }
#connection[data-status="reconnecting"]::before, #connection[data-status="connecting"]::before { background: var(--warn); animation: pulse 1s infinite alternate; }
@keyframes pulse { from { opacity: 1; } to { opacity: .3; } }
#metrics { display: grid; grid-template-columns: repeat(3, 1fr); gap: .5rem; margin-bottom: 1rem; }
#metrics div { background: var(--bg); border-radius: 8px; padding: .5rem; text-align: center; font-size: .85rem; color: var(--muted); }
#metrics b { display: block; font-size: 1.25rem; color: var(--text); }
form { display: flex; gap: .5rem; }
input[type="text"], #new-title { flex: 1; min-width: 0; font: inherit; padding: .55rem .75rem; border: 1px solid var(--line);
  border-radius: 8px; background: #fff; color: var(--text); }
input[type="text"]:focus, #new-title:focus { outline: 2px solid var(--accent); outline-offset: -1px; border-color: transparent; }
button { font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid transparent; padding: .55rem 1rem; }
button.primary { background: var(--accent); color: #fff; font-weight: 600; }
button.primary:hover { background: var(--accent-dark); }
button.ghost { background: transparent; color: var(--muted); padding: .3rem .55rem; font-size: .85rem; }
button.ghost:hover { background: var(--bg); color: var(--text); }
button.ghost.delete:hover { color: var(--danger); }
button:focus-visible, .toggle:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
ul { list-style: none; padding: 0; margin: 1rem 0 0; }
li { display: flex; align-items: center; gap: .6rem; padding: .55rem 0; border-bottom: 1px solid var(--line); }
li:last-child { border-bottom: 0; }
li .title { flex: 1; min-width: 0; overflow-wrap: anywhere; cursor: text; }
li.completed .title { text-decoration: line-through; color: var(--muted); }
li .edit-title { flex: 1; }
.toggle { appearance: none; -webkit-appearance: none; flex: none; width: 1.3rem; height: 1.3rem; margin: 0; cursor: pointer;
  border: 2px solid #cbd5e1; border-radius: 50%; display: grid; place-content: center; background: #fff; }
.toggle::after { content: ""; width: .35rem; height: .65rem; border: solid #fff; border-width: 0 2px 2px 0; transform: rotate(45deg) translate(-1px, -1px); opacity: 0; }
.toggle:checked { background: var(--ok); border-color: var(--ok); }
.toggle:checked::after { opacity: 1; }
#error { color: var(--danger); background: #fef2f2; border-radius: 8px; padding: .5rem .75rem; margin: .75rem 0 0; }
#empty { color: var(--muted); text-align: center; margin: 1.5rem 0 .5rem; }
@media (max-width: 480px) {
  main { margin: 0; min-height: 100vh; border-radius: 0; padding: 1rem; box-shadow: none; }
  button.primary { padding: .55rem .8rem; }
}
`;
