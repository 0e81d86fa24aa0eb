/** report.html's stylesheet (inline; system fonts only, so nothing is fetched). */
export const REPORT_CSS = `
:root { --fg: #1d2330; --muted: #5b6472; --line: #dfe3ea; --bg: #f6f7f9; --card: #ffffff; --ok: #1a7f37; --bad: #c0362c; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: #1d2330; color: #fff; padding: 20px 32px 16px; }
header.top h1 { margin: 0 0 6px; font-size: 22px; font-weight: 600; }
header.top .facts { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 20px; color: #c9d1dc; font-size: 13px; }
header.top .facts strong { color: #fff; font-weight: 600; }
header.top code { color: #fff; }
nav.toc { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 32px; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; }
nav.toc a { color: var(--muted); text-decoration: none; }
nav.toc a:hover { color: var(--fg); text-decoration: underline; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 32px 48px; }
section { margin: 28px 0 0; }
section > h2 { font-size: 18px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; vertical-align: middle; margin-left: 6px; }
.badge.ok { background: #dafbe1; color: var(--ok); }
.badge.bad { background: #ffebe9; color: var(--bad); }
.badge.neutral { background: #eaeef2; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; margin-top: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; }
figure.chart { margin: 0 0 14px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 8px; min-width: 0; }
figure.chart h3 { margin: 0 0 4px; font-size: 14px; }
figure.chart .plot { width: 100%; }
figure.chart .note { margin: 4px 0 0; color: var(--muted); font-size: 12px; }
figure.chart .failed { color: var(--bad); }
.empty { color: var(--muted); font-style: italic; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 6px 0 12px; }
table { border-collapse: collapse; background: var(--card); border: 1px solid var(--line); font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f0f2f5; font-weight: 600; }
td.num, th.num { text-align: right; }
tr:last-child td { border-bottom: none; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; background: rgba(128, 128, 128, 0.12); padding: 0 4px; border-radius: 3px; }
ul { margin: 6px 0 12px; padding-left: 22px; }
p { margin: 6px 0 10px; }
.verdict-regressed { color: var(--bad); font-weight: 600; }
.verdict-improved { color: var(--ok); font-weight: 600; }
.verdict-unchanged { color: var(--muted); font-weight: 600; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; border-top: 1px solid var(--line); padding-top: 10px; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; }
@media print { nav.toc { position: static; } figure.chart, table { break-inside: avoid; } }
`;
