/**
 * The page of `llmbench compare BASE CAND --format html` (DESIGN §8, §17): the verdict, each metric's
 * comparison from `Comparison.metrics` (the compare command computes it; this only shows it), both sides' CDFs
 * overlaid per per-request metric with that metric's verdict, and each run's output throughput over time.
 * Each side is one run or several repeats; a side's CDF pools its runs' successful requests.
 */
import type { Comparison, ComparedSide, MetricComparison } from '../../pipeline/core/analysis.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { TABLE_METRICS, type RunData, type TableMetric } from '../run-data.js';
import { MAX_TIMELINE_POINTS, PALETTE, type ChartSpec } from './chart-spec.js';
import { joinSeries } from './downsample.js';
import { htmlBlock } from './html-blocks.js';
import { escapeHtml } from './html-escape.js';
import { chartFigure, htmlPage } from './html-page.js';
import { cdfChart, CDF_METRICS, okValues, percentileSentence } from './latency-charts.js';
import { metricTitle, metricUnit } from './metric-names.js';
import { formatNumber, formatP } from './metric-rows.js';
import { list } from './report-document.js';
import { mergeWindows } from './timeline-windows.js';
import { uplotLibrary } from './uplot-assets.js';

export interface ComparedRun {
  readonly result: RunResult;
  readonly data: RunData;
}

export const BASE_COLOR = PALETTE[0];
export const CAND_COLOR = PALETTE[1];

const isTableMetric = (name: string): name is TableMetric => (TABLE_METRICS as readonly string[]).includes(name);

export function renderCompareHtml(comparison: Comparison, base: readonly ComparedRun[], cand: readonly ComparedRun[]): string {
  const names = Object.keys(comparison.metrics);
  // Latency metrics first, in the run report's order, then the other per-request metrics as compare lists them.
  const cdfMetrics = [...CDF_METRICS.filter((name) => names.includes(name)), ...names.filter((name) => isTableMetric(name) && !(CDF_METRICS as readonly string[]).includes(name))] as TableMetric[];
  const cdfs = cdfMetrics
    .map((metric) => {
      const compared = comparison.metrics[metric]!;
      const unit = metricUnit(metric);
      const chart = cdfChart(
        `compare-${metric}`,
        metric,
        [
          { label: `base (${comparison.base.engine})`, color: BASE_COLOR, values: okValues(base.map((run) => run.data.requests), metric) },
          { label: `candidate (${comparison.cand.engine})`, color: CAND_COLOR, values: okValues(cand.map((run) => run.data.requests), metric) },
        ],
        (side, sorted) => `${side.label}: ${percentileSentence(sorted, unit, formatNumber)}`,
      );
      return chart ? { ...chart, title: `${metricTitle(metric)}: ${compared.verdict}`, note: `${verdictSentence(compared, unit)} · ${chart.note}` } : undefined;
    })
    .filter((chart): chart is ChartSpec => chart !== undefined);
  const throughput = throughputOverlay(base, cand);
  const charts = throughput ? [...cdfs, throughput] : cdfs;

  const verdictClass = comparison.verdict === 'regressed' ? 'bad' : comparison.verdict === 'improved' ? 'ok' : 'neutral';
  const title = `llmbench compare: ${comparison.base.engine} ${comparison.base.model} → ${comparison.cand.engine} ${comparison.cand.model}`;
  const header = `<h1>${escapeHtml(title)} <span class="badge ${verdictClass}">${escapeHtml(comparison.verdict)}</span> <span class="badge ${comparison.workload_match ? 'ok' : 'bad'}">${comparison.workload_match ? 'same workload' : 'DIFFERENT workload'}</span></h1>
<ul class="facts">
<li><strong>base</strong>: ${sideText(comparison.base)}</li>
<li><strong>candidate</strong>: ${sideText(comparison.cand)}</li>
</ul>`;

  const sections: Array<{ id: string; title: string; html: string }> = [
    {
      id: 'verdict',
      title: 'Verdict',
      html: [
        comparison.summary.length > 0 ? htmlBlock(list(comparison.summary)) : '<p>No gated metric changed.</p>',
        comparison.workload_differences.length > 0 ? `<p>The workloads differ:</p>\n${htmlBlock(list(comparison.workload_differences))}` : '',
        metricsTable(comparison),
        `<p>diff = (candidate − base) / base on the median (p50), or on the run-level figure; the interval is a bootstrap 95 % interval, p the Mann-Whitney U two-sided p-value. Only gated metrics decide the verdict and the exit code.</p>`,
      ].join('\n'),
    },
    {
      id: 'distributions',
      title: 'Distributions',
      html: cdfs.length > 0 ? `<div class="grid-2">\n${cdfs.map(chartFigure).join('\n')}\n</div>` : '<p class="empty">No per-request metric with values on either side.</p>',
    },
    ...(throughput ? [{ id: 'throughput', title: 'Throughput over time', html: chartFigure(throughput) }] : []),
    {
      id: 'method',
      title: 'Method',
      html: htmlBlock(list(Object.entries(comparison.method).map(([key, value]) => [{ strong: key }, `: ${String(value)}`]))),
    },
  ];
  const uplot = uplotLibrary();
  return htmlPage({
    title,
    header,
    nav: sections.map(({ id, title: sectionTitle }) => ({ id, title: sectionTitle })),
    main: sections.map((section) => `<section id="${section.id}">\n<h2>${escapeHtml(section.title)}</h2>\n${section.html}\n</section>`).join('\n'),
    footer: `<p>Made by llmbench from the compared runs' run.json and records. Charts drawn with ${uplot.name} ${escapeHtml(uplot.version)} (MIT), inlined. This file fetches nothing.</p>`,
    charts,
  });
}

function sideText(side: ComparedSide): string {
  const runs = side.runs.map((run) => `<code>${escapeHtml(run.run_id)}</code>`).join(', ');
  return `${escapeHtml(side.engine)} at ${escapeHtml(side.url)}, model <code>${escapeHtml(side.model)}</code>; ${side.runs.length === 1 ? 'run' : `${side.runs.length} runs`} ${runs}; ${side.requests} ok requests`;
}

function verdictSentence(compared: MetricComparison, unit: string): string {
  const u = unit ? ` ${unit}` : '';
  const p = compared.p === null ? '' : `, p ${formatP(compared.p)}`;
  return `p50 ${formatNumber(compared.base.p50)}${u} → ${formatNumber(compared.cand.p50)}${u}: ${signed(compared.diff_pct)} % (95 % CI ${signed(compared.ci_low_pct)} … ${signed(compared.ci_high_pct)} %)${p}: ${compared.verdict}${compared.gated ? ' (gated)' : ''}`;
}

const signed = (value: number): string => `${value > 0 ? '+' : ''}${formatNumber(value)}`;

function metricsTable(comparison: Comparison): string {
  const headers = ['metric', 'gated', 'base p50', 'base p95', 'base p99', 'cand p50', 'cand p95', 'cand p99', 'diff', '95 % CI', 'p', 'verdict'];
  const rows = Object.entries(comparison.metrics).map(([name, m]) => {
    const cells = [
      escapeHtml(name),
      m.gated ? 'yes' : 'no',
      ...[m.base.p50, m.base.p95, m.base.p99, m.cand.p50, m.cand.p95, m.cand.p99].map(formatNumber),
      `${signed(m.diff_pct)} %`,
      `${signed(m.ci_low_pct)} … ${signed(m.ci_high_pct)} %`,
      formatP(m.p),
    ].map((cell, index) => `<td${index >= 2 ? ' class="num"' : ''}>${index === 0 ? `<code>${cell}</code>` : escapeHtml(cell)}</td>`);
    cells.push(`<td class="verdict-${m.verdict}">${escapeHtml(m.verdict)}${m.higher_is_better ? ' <span class="badge neutral">↑ better</span>' : ''}</td>`);
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<div class="table-wrap"><table>\n<thead><tr>${headers.map((header, index) => `<th${index >= 2 && index < 11 ? ' class="num"' : ''}>${escapeHtml(header)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
}

/** Output tok/s per 1 s window of every run, each against its own start. */
function throughputOverlay(base: readonly ComparedRun[], cand: readonly ComparedRun[]): ChartSpec | undefined {
  const lines = [...base.map((run) => ({ run, side: 'base', color: BASE_COLOR })), ...cand.map((run) => ({ run, side: 'candidate', color: CAND_COLOR }))]
    .map((line) => {
      const timeline = mergeWindows(line.run.data.windows);
      const started = Date.parse(line.run.result.started_at);
      const origin = Number.isFinite(started) ? started : (timeline.endMs[0] ?? 0) - 1000;
      return { ...line, xs: timeline.endMs.map((end) => (end - origin) / 1000), ys: timeline.fields.output_tps };
    })
    .filter((line) => line.xs.length > 0);
  if (lines.length === 0) return undefined;
  const table = joinSeries(lines, Math.max(4, Math.floor(MAX_TIMELINE_POINTS / lines.length)));
  return {
    id: 'compare-throughput',
    title: 'Output tokens per second',
    note: 'Each run against its own start, per 1 s window (each bucket\'s minimum and maximum kept where a run is long).',
    x: { label: 'seconds since the run started', legend: 't (s)' },
    axes: [{ label: 'output tok/s', min: 0 }],
    series: lines.map((line) => ({ label: `${line.side} ${line.run.result.run_id}`, color: line.color, axis: 0 })),
    data: [table.xs, ...table.ys],
    marks: [],
    spanGaps: true,
  };
}
