/**
 * The shell of a self-contained report page: a Content-Security-Policy that forbids every fetch (so the page
 * cannot reach the network even by mistake), the stylesheets, the chart data as JSON, uPlot and the page's
 * script, all inline.
 */
import type { ChartSpec } from './chart-spec.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { escapeHtml, inlineScript, inlineStyle, scriptJson } from './html-escape.js';
import { REPORT_CSS } from './report-style.js';
import { uplotLibrary } from './uplot-assets.js';

/** Nothing may be fetched: no default source; only the inline scripts and styles run. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Chart data carry this many significant digits; the tables carry the full values. */
export const CHART_DIGITS = 6;

export interface PageParts {
  readonly title: string;
  /** HTML, already escaped. */
  readonly header: string;
  readonly nav: ReadonlyArray<{ readonly id: string; readonly title: string }>;
  readonly main: string;
  readonly footer: string;
  readonly charts: readonly ChartSpec[];
}

export function htmlPage(parts: PageParts): string {
  const uplot = uplotLibrary();
  const nav = parts.nav.map((item) => `<a href="#${escapeHtml(item.id)}">${escapeHtml(item.title)}</a>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="llmbench">
<title>${escapeHtml(parts.title)}</title>
<style>${inlineStyle(uplot.css)}</style>
<style>${inlineStyle(REPORT_CSS)}</style>
</head>
<body>
<header class="top">
${parts.header}
</header>
<nav class="toc">
${nav}
</nav>
<main>
<noscript><p class="empty">Charts need JavaScript; every number is also in the tables below.</p></noscript>
${parts.main}
<footer>
${parts.footer}
</footer>
</main>
<script type="application/json" id="llmbench-data">${scriptJson({ charts: parts.charts }, CHART_DIGITS)}</script>
<script>
/*! ${uplot.name} ${uplot.version}, inlined from the npm package. Its licence:
${uplot.license.replace(/\*\//g, '* /')}
*/
${inlineScript(uplot.js)}
</script>
<script>${inlineScript(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}

/** A chart's place in the page; the page's script draws into it. */
export function chartFigure(chart: ChartSpec): string {
  return `<figure class="chart" id="chart-${escapeHtml(chart.id)}">
<h3>${escapeHtml(chart.title)}</h3>
<div class="plot" data-chart="${escapeHtml(chart.id)}"></div>
<p class="note">${escapeHtml(chart.note)}</p>
</figure>`;
}
