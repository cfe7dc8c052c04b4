// The leaderboard page's style sheet and script (harness/report/html.cpp only): string constants,
// kept apart so html.cpp holds the page's structure.
//
// The script, run once at the end of <body>:
//   * sorts a table on a click on a header, or on load from the address: #sort=TABLE_ID:COL:asc|desc;
//   * filters by workload and solver from the select boxes or the address:
//     #workload=SLUG[,SLUG...]&solver=NAME[,NAME...] (values URI-encoded). Every element with
//     data-workload / data-solver (data-solver2: the other solver of a pair) that does not match is
//     given the `hidden` attribute: rows are hidden, never removed, so sorting and unfiltering
//     need no re-render; unknown values in the address are ignored;
//   * records when it finished: <body data-ready="1" data-render-ms="T">, T = performance.now(),
//     milliseconds since navigation start (tests/cli/page_scale.sh asserts T < 2000).
#pragma once

namespace mb::html_assets {

inline const char* const kStyle = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{padding:.25em .6em;border-bottom:1px solid #e3e3e3;text-align:left}
th{cursor:pointer;background:#f4f4f4;user-select:none}th[aria-sort=ascending]::after{content:" \25B2"}
th[aria-sort=descending]::after{content:" \25BC"}td[data-v]{text-align:right;font-variant-numeric:tabular-nums}
td.na,td.nc,.nc{color:#999}.ok{color:#16702b}.bad{color:#b3261e;font-weight:600}.sel{font-weight:600}
img{max-width:100%;border:1px solid #eee}code{background:#f4f4f4;padding:0 .2em}nav a{margin-right:1em}
[hidden]{display:none!important}.filters{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd;z-index:1}
.filters label{margin-right:1.2em}.ecdf{display:flex;flex-wrap:wrap;gap:1em}.ecdf svg{border:1px solid #eee;font:11px sans-serif}
.rules li{margin:.2em 0}
td.l{text-align:left}td.ci{white-space:nowrap}summary{cursor:pointer;margin:.3em 0}
)";

inline const char* const kScript = R"(
function sortTable(table, col, dir) {
  const body = table.tBodies[0];
  const key = r => { const c = r.cells[col]; if (!c) return ''; const v = c.getAttribute('data-v');
                     return v === null ? c.textContent.trim().toLowerCase() : parseFloat(v); };
  const rows = Array.from(body.rows).map((r, i) => [key(r), i, r]);
  rows.sort((a, b) => {
    let c;
    if (typeof a[0] === 'number' && typeof b[0] === 'number') c = a[0] === b[0] ? 0 : (a[0] < b[0] ? -1 : 1);
    else c = String(a[0]).localeCompare(String(b[0]));
    if (dir === 'desc') c = -c;
    return c !== 0 ? c : a[1] - b[1];
  });
  rows.forEach(x => body.appendChild(x[2]));
  Array.from(table.tHead.rows[0].cells).forEach((th, i) =>
    i === col ? th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending') : th.removeAttribute('aria-sort'));
  table.setAttribute('data-sorted', col + ':' + dir);
}
document.querySelectorAll('table.sortable').forEach(t => {
  Array.from(t.tHead.rows[0].cells).forEach((th, i) => th.addEventListener('click', () =>
    sortTable(t, i, t.getAttribute('data-sorted') === i + ':asc' ? 'desc' : 'asc')));
});
const wanted = /sort=([A-Za-z0-9_.-]+):(\d+):(asc|desc)/.exec(decodeURIComponent(location.hash));
if (wanted) { const t = document.getElementById(wanted[1]); if (t) sortTable(t, parseInt(wanted[2], 10), wanted[3]); }

// Filters: the address fragment is the state; the select boxes mirror it.
function hashParams() {
  const o = {};
  location.hash.replace(/^#/, '').split('&').forEach(kv => {
    const i = kv.indexOf('=');
    if (i > 0) { try { o[kv.slice(0, i)] = kv.slice(i + 1).split(',').map(decodeURIComponent); } catch (e) {} }
  });
  return o;
}
const filterBoxes = {workload: document.getElementById('f-workload'), solver: document.getElementById('f-solver')};
function known(box, values) {
  const opts = box ? Array.from(box.options).map(o => o.value).filter(v => v) : [];
  const ok = (values || []).filter(v => opts.includes(v));
  return ok.length ? ok : null;
}
function applyFilters() {
  const p = hashParams(), ws = known(filterBoxes.workload, p.workload), ss = known(filterBoxes.solver, p.solver);
  if (filterBoxes.workload) filterBoxes.workload.value = ws && ws.length === 1 ? ws[0] : '';
  if (filterBoxes.solver) filterBoxes.solver.value = ss && ss.length === 1 ? ss[0] : '';
  const items = document.querySelectorAll('[data-workload],[data-solver]');
  items.forEach(e => {
    const w = e.getAttribute('data-workload'), s = e.getAttribute('data-solver'), s2 = e.getAttribute('data-solver2');
    const hide = (ws !== null && w !== null && !ws.includes(w)) ||
                 (ss !== null && s !== null && !ss.includes(s) && !(s2 !== null && ss.includes(s2)));
    e.toggleAttribute('hidden', hide);
  });
  let shown = 0, all = 0;  // table rows, hidden by themselves or by their workload's section
  items.forEach(e => { if (e.tagName === 'TR') { all++; if (!e.closest('[hidden]')) shown++; } });
  document.body.setAttribute('data-filter', [ws ? 'workload=' + ws.join(',') : '', ss ? 'solver=' + ss.join(',') : '']
                                             .filter(x => x).join(' '));
  const note = document.getElementById('f-note');
  if (note) note.textContent = ws || ss ? shown + ' of ' + all + ' rows shown' : '';
}
function setFilter(name, value) {
  const p = hashParams();
  if (value) p[name] = [value]; else delete p[name];
  const parts = Object.keys(p).map(k => k === 'sort' ? 'sort=' + p[k].join(',') : k + '=' + p[k].map(encodeURIComponent).join(','));
  location.hash = parts.join('&');
}
Object.keys(filterBoxes).forEach(k => { if (filterBoxes[k]) filterBoxes[k].addEventListener('change', e => setFilter(k, e.target.value)); });
window.addEventListener('hashchange', applyFilters);
applyFilters();
document.body.setAttribute('data-ready', '1');
document.body.setAttribute('data-render-ms', performance.now().toFixed(1));
)";

// Matplotlib's default colour cycle (tab10), so that a solver has the same colour on the page's
// ECDFs as in scripts/plot's figures (both index solvers in leaderboard order).
inline const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

}  // namespace mb::html_assets
