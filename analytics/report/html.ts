/**
 * report.html (DESIGN §17): one self-contained page per run — the report.md sections (run-report.ts) with the
 * charts beside them: a CDF per latency metric, the 1 s timeline with stage starts and anomalies, the scaling
 * curve with knee and SLO, resources over time. No network: scripts, styles and data are inline and the page's
 * Content-Security-Policy forbids every fetch. `renderCompareHtml` (compare-html.ts) is the page of `llmbench
 * compare`.
 */
import type { RunResult } from '../../pipeline/core/run-result.js';
import type { RunData } from '../run-data.js';
import { PALETTE, type ChartSpec } from './chart-spec.js';
import { chartFigure, htmlPage } from './html-page.js';
import { htmlSection, htmlText } from './html-blocks.js';
import { escapeHtml } from './html-escape.js';
import { cdfChart, CDF_METRICS, okValues, percentileSentence } from './latency-charts.js';
import { formatNumber } from './metric-rows.js';
import { metricUnit } from './metric-names.js';
import { resourceCharts } from './resource-charts.js';
import { runCards } from './run-cards.js';
import { runReport } from './run-report.js';
import { scalingCharts } from './scaling-charts.js';
import { timeAxis, timelineCharts, timeMarks } from './timeline-charts.js';
import { mergeWindows, stageStarts } from './timeline-windows.js';
import { uplotLibrary } from './uplot-assets.js';

export { renderCompareHtml } from './compare-html.js';

export function renderHtmlReport(result: RunResult, data: RunData): string {
  const report = runReport(result);
  const sections = new Map(report.sections.map((section) => [section.id, section]));
  const axis = timeAxis(originMs(result, data), result.started_at);
  const marks = timeMarks(axis, stageStarts(data.requests, data.windows), result.analysis?.anomalies ?? []);

  const cdfs = CDF_METRICS.map((metric) =>
    cdfChart(`cdf-${metric}`, metric, [{ label: 'fraction ≤ x', color: PALETTE[0], values: okValues([data.requests], metric) }], (_side, sorted) =>
      percentileSentence(sorted, metricUnit(metric), formatNumber),
    ),
  ).filter((chart): chart is ChartSpec => chart !== undefined);
  const timeline = timelineCharts(mergeWindows(data.windows), axis, marks);
  const scaling = scalingCharts(result.analysis);
  const resources = resourceCharts(data.resources, axis, marks);

  const parts: Array<{ id: string; title: string; html: string }> = [
    chartSection('latency', 'Latency distributions', cdfs, 'No successful requests: no distribution to draw.', true),
    chartSection('timeline', 'Timeline', timeline, 'No 1 s windows were recorded.'),
    chartSection(
      'scaling-curve',
      'Scaling',
      scaling,
      'The analysis has fewer than two load levels: no curve to draw. A sweep (llmbench run sweep) or stages (--stages) measure several.',
    ),
  ];
  const place = (id: string, before = '') => {
    const section = sections.get(id);
    if (section) parts.push({ id, title: section.title, html: htmlSection(section, before) });
  };
  place('analysis');
  place('resources', resources.length > 0 ? resources.map(chartFigure).join('\n') + '\n' : '<p class="empty">No resource samples to draw.</p>\n');
  for (const id of ['requests', 'metrics', 'stages', 'thresholds', 'client-health']) place(id);
  // Any section added to the report later still appears.
  for (const section of report.sections) if (!parts.some((part) => part.id === section.id)) place(section.id);

  const statusBadge = result.status === 'completed' ? 'ok' : 'bad';
  const header = `<h1>${escapeHtml(report.title)} <span class="badge ${statusBadge}">${escapeHtml(result.status)}</span> <span class="badge ${result.valid ? 'ok' : 'bad'}">${result.valid ? 'valid' : 'INVALID'}</span></h1>
<ul class="facts">
${report.overview.map((item) => `<li>${htmlText(item)}</li>`).join('\n')}
</ul>`;
  const uplot = uplotLibrary();
  return htmlPage({
    title: `${report.title} — ${result.target.engine} ${result.target.model}`,
    header,
    nav: parts.map(({ id, title }) => ({ id, title })),
    main: `${runCards(result)}\n${parts.map((part) => part.html).join('\n')}`,
    footer: `<p>Made by llmbench ${escapeHtml(result.tool.version)} from run.json and the run's records, 1 s windows and resource samples. Charts drawn with ${uplot.name} ${escapeHtml(uplot.version)} (MIT), inlined; chart data carry 6 significant digits and are downsampled only where a chart's note says so; the tables hold the exact values. This file fetches nothing.</p>`,
    charts: [...cdfs, ...timeline, ...scaling, ...resources],
  });
}

function chartSection(id: string, title: string, charts: readonly ChartSpec[], empty: string, twoColumns = false): { id: string; title: string; html: string } {
  const body = charts.length === 0 ? `<p class="empty">${escapeHtml(empty)}</p>` : `<div${twoColumns ? ' class="grid-2"' : ''}>\n${charts.map(chartFigure).join('\n')}\n</div>`;
  return { id, title, html: `<section id="${escapeHtml(id)}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>` };
}

/** x = 0 of the time axis: the run's start, else its first window or request. */
function originMs(result: RunResult, data: RunData): number {
  const started = Date.parse(result.started_at);
  if (Number.isFinite(started)) return started;
  const firstWindow = data.windows[0];
  if (firstWindow) return firstWindow.time_ms - 1000;
  let first = Number.POSITIVE_INFINITY;
  for (const sent of data.requests.sentMs.view()) first = Math.min(first, sent);
  return Number.isFinite(first) ? first : 0;
}
