/**
 * The one stylesheet (served as /ui-assets/ui.css). Plain CSS, no framework: system fonts, text
 * colours with a contrast of at least 4.5:1 on their background, a visible focus ring, one column
 * on phones and wider grids from 48em.
 */
export const stylesheet = `
:root {
  --ink: #1b1f24; --muted: #4a5563; --line: #c9d1da; --bg: #ffffff; --panel: #f4f6f8;
  --accent: #0b5cad; --accent-ink: #ffffff; --danger: #a61b1b; --ok: #1d6b32; --warn: #7a4a00;
  --focus: #ffbf47; --radius: 6px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg); line-height: 1.5;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--ink); }
.skip { position: absolute; left: -999px; top: 0; background: var(--ink); color: #fff; padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 1rem;
  background: var(--ink); color: #fff; }
header.top a { color: #fff; }
.brand { font-weight: 700; text-decoration: none; font-size: 1.1rem; }
header nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
header nav a[aria-current="page"] { text-decoration-thickness: 3px; font-weight: 600; }
.who { margin-left: auto; display: flex; gap: .5rem; align-items: center; font-size: .9rem; }
.who .role { color: #d7dde4; }
.who button.link { color: #fff; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
p.lead { color: var(--muted); margin-top: -.5rem; }
.notice { background: #e7f4ea; border-left: 4px solid var(--ok); padding: .5rem .75rem; }
.muted { color: var(--muted); }
.inline { display: inline; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.field .hint:empty { display: none; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 1rem 0; }
button, .button { font: inherit; border-radius: var(--radius); border: 2px solid var(--accent); padding: .45rem 1rem;
  background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-block;
  line-height: 1.4; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--danger); border-color: var(--danger); }
button.link { background: none; border: none; padding: 0; text-decoration: underline; color: var(--accent); }
label { font-weight: 600; }
.label-line { margin-bottom: .1rem; }
input, select, textarea { font: inherit; color: var(--ink); border: 2px solid #6b7785; border-radius: var(--radius);
  padding: .4rem .5rem; width: 100%; max-width: 36rem; background: #fff; }
input[type="checkbox"], input[type="radio"] { width: 1.25rem; height: 1.25rem; vertical-align: middle; }
input[readonly] { background: var(--panel); border-style: dashed; }
textarea { min-height: 6rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem 1rem 1rem; margin: 0 0 1rem; }
legend { font-weight: 700; padding: 0 .25rem; }
.field { margin: 0 0 1rem; }
.field .help, .field .hint { color: var(--muted); font-size: .9rem; margin: .1rem 0 .3rem; }
.field .error { color: var(--danger); font-weight: 600; margin: .1rem 0 .3rem; }
.field.invalid input, .field.invalid select, .field.invalid textarea { border-color: var(--danger); border-width: 3px; }
.field .check, fieldset .check { display: flex; gap: .5rem; align-items: center; font-weight: normal; margin: .25rem 0; }
.check input, .sensitive input { flex: none; }
.field .sensitive { font-weight: normal; font-size: .9rem; display: flex; gap: .4rem; align-items: center; margin-top: .3rem; }
.required { color: var(--danger); }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.badge.valid, .badge.merged { color: var(--ok); }
.badge.warnings, .badge.proposed { color: var(--warn); }
.badge.rejected, .badge.failed, .badge.closed, .badge.withdrawn { color: var(--danger); }
.badge.moved { color: var(--warn); }
.mark-note { border-left: 4px solid var(--warn); background: var(--panel); padding: .5rem .75rem; }
.mark-note.withdrawn { border-left-color: var(--danger); }
.error-summary { border: 3px solid var(--danger); padding: .75rem 1rem; margin: 0 0 1rem; border-radius: var(--radius); }
.error-summary h2 { margin-top: 0; color: var(--danger); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); }
.table-wrap { overflow-x: auto; }
.cards { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: 1fr; }
.card { border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; display: flex; gap: 1rem; }
.card img, .app-head img { width: 56px; height: 56px; object-fit: contain; flex: none; }
.card h2 { margin: 0 0 .25rem; font-size: 1.1rem; }
.card p { margin: .25rem 0; }
.tags { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; padding: 0; margin: .25rem 0; }
.tags li { background: var(--panel); border-radius: 999px; padding: 0 .5rem; font-size: .85rem; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; margin-bottom: 1rem; }
.filters .field { margin: 0; flex: 1 1 12rem; }
.app-head { display: flex; gap: 1rem; align-items: center; }
.prose { max-width: 48rem; overflow-wrap: anywhere; }
.prose pre, pre.file { background: var(--panel); padding: .75rem; overflow-x: auto; border-radius: var(--radius); }
pre.diff { max-height: 70vh; overflow: auto; }
pre.diff .add { color: var(--ok); }
pre.diff .del { color: var(--danger); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
details { margin: .5rem 0; }
summary { cursor: pointer; font-weight: 600; }
.issue-list li { margin-bottom: .25rem; }
code { overflow-wrap: anywhere; }
@media (min-width: 48em) {
  main { padding: 1.5rem 2rem; }
  .cards { grid-template-columns: repeat(2, 1fr); }
  .two-columns { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5rem; }
}
@media (min-width: 72em) { .cards { grid-template-columns: repeat(3, 1fr); } }
`;
