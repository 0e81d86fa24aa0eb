/**
 * The report's analysis section, from run.json `analysis` (DESIGN §8): recommendations, scores with their
 * formulas, the scaling levels and knee, the max load under SLOs, anomalies, correlations and the methods.
 * Each part says so when it found nothing, so an empty section is never mistaken for a missing one.
 */
import type { Anomaly, RunAnalysis, Score } from '../../pipeline/core/analysis.js';
import { formatLevel, formatNumber, formatP } from './metric-rows.js';
import { heading, list, numbersAfter, paragraph, table, type Block, type ReportSection, type Text } from './report-document.js';

/** Anomalies are numbered A1, A2 … in run.json order; the timeline charts use the same labels. */
export const anomalyLabel = (index: number): string => `A${index + 1}`;

export function analysisSection(analysis: RunAnalysis | undefined, startedAtMs: number): ReportSection {
  if (!analysis) {
    return { id: 'analysis', title: 'Analysis', blocks: [paragraph('run.json has no analysis (a run that never ended, or one written before analysis existed).')] };
  }
  return {
    id: 'analysis',
    title: 'Analysis',
    blocks: [
      heading('recommendations', 'Recommendations'),
      ...(analysis.recommendations.length > 0
        ? [list(analysis.recommendations.map((r) => r.text))]
        : [paragraph('None: nothing in this run called for a change.')]),
      heading('scores', 'Scores'),
      ...scoreBlocks(analysis),
      heading('scaling', 'Scaling'),
      ...scalingBlocks(analysis),
      heading('slo', 'Max load under SLOs'),
      ...sloBlocks(analysis),
      heading('anomalies', 'Anomalies'),
      ...anomalyBlocks(analysis.anomalies, startedAtMs),
      heading('correlations', 'Resources against performance'),
      ...correlationBlocks(analysis),
      ...(Object.keys(analysis.methods).length > 0
        ? [heading('methods', 'Methods'), list(Object.entries(analysis.methods).map(([name, text]): Text => [{ strong: name }, `: ${text}`]))]
        : []),
    ],
  };
}

function scoreBlocks(analysis: RunAnalysis): Block[] {
  const scores: Array<[string, Score | null]> = [
    ['predictability', analysis.scores.predictability],
    ['responsiveness', analysis.scores.responsiveness],
  ];
  if (scores.every(([, score]) => score === null)) return [paragraph('Not computed.')];
  const rows = scores.map(([name, score]) => [
    name,
    score ? `${score.score.toFixed(0)} / 100` : 'not computed',
    score?.formula ?? '-',
    score ? Object.entries(score.inputs).map(([key, value]) => `${key} ${formatNumber(value)}`).join(', ') : '-',
  ]);
  return [table(['score', 'value', 'formula', 'inputs'], rows, (_h, index) => index === 1)];
}

function scalingBlocks(analysis: RunAnalysis): Block[] {
  const levels = [...analysis.scaling.levels].sort((a, b) => a.level - b.level);
  if (levels.length === 0) return [paragraph('No load levels were measured.')];
  const rows = levels.map((level) => [
    formatLevel(level.level),
    level.kind,
    level.stage,
    String(level.requests),
    ...[level.rps, level.output_tps, level.goodput_rps].map(formatNumber),
    `${formatNumber(level.error_rate * 100)} %`,
    formatNumber(level.in_flight_mean),
    ...['ttft_ms', 'itl_ms', 'total_duration_ms'].map((metric) => formatNumber(level.metrics[metric]?.p95)),
    level.littles_law ? `${formatNumber(level.littles_law.error_pct)} %` : '-',
  ]);
  const blocks: Block[] = [
    table(
      ['level', 'kind', 'stage', 'requests', 'req/s', 'output tok/s', 'goodput req/s', 'errors', 'in flight (mean)', 'TTFT p95', 'ITL p95', 'e2e p95', "Little's law error"],
      rows,
      (_h, index) => index === 0 || index >= 3,
    ),
  ];
  const knee = analysis.scaling.knee;
  if (knee) {
    const beyond = knee.beyond
      ? `; at the highest level measured (${formatLevel(knee.beyond.level)}), ${knee.beyond.latency_metric} is ×${formatNumber(knee.beyond.latency_factor)} the knee's for ${formatNumber(knee.beyond.throughput_gain_pct)} % more throughput`
      : '';
    blocks.push(paragraph([{ strong: 'Knee' }, `: level ${formatLevel(knee.level)} (${formatNumber(knee.rps)} req/s)${beyond}. Found by ${knee.method}.`]));
  } else {
    blocks.push(paragraph(levels.length < 3 ? 'No knee: fewer than three levels were measured.' : 'No knee: throughput did not bend over the levels measured.'));
  }
  return blocks;
}

function sloBlocks(analysis: RunAnalysis): Block[] {
  const slo = analysis.slo;
  if (!slo) return [paragraph('No SLOs were given (--slo "ttft_ms:p95<1000" finds the highest load that meets them).')];
  const blocks: Block[] = [paragraph(slo.sentence)];
  const facts: Text[] = [
    [{ strong: 'SLOs' }, ': ', ...slo.slos.flatMap((text, index) => (index === 0 ? [{ code: text }] : [', ', { code: text }]))],
    `highest level that met them: ${formatLevel(slo.max_level)}${slo.bracketed ? '' : ' (not bracketed: no measured level failed, so the limit lies beyond the highest measured)'}`,
  ];
  if (slo.crossing !== null) facts.push(`interpolated crossing: ${formatNumber(slo.crossing)} (95 % CI ${formatNumber(slo.ci_low)} – ${formatNumber(slo.ci_high)})`);
  if (slo.first_failing_level !== null) facts.push(`first failing level: ${formatLevel(slo.first_failing_level)}, on ${slo.failing_metric ?? '?'} = ${formatNumber(slo.failing_value)}`);
  facts.push(`method: ${slo.method}`);
  blocks.push(list(facts));
  if (slo.levels.length > 0) {
    const rows = slo.levels.map((level) => [formatLevel(level.level), ...slo.slos.map((text) => formatNumber(level.values[text])), level.ok ? 'met' : 'FAILED']);
    blocks.push(table(['level', ...slo.slos, 'all met'], rows, (_h, index) => index <= slo.slos.length));
  }
  return blocks;
}

/** "+12.0 s (14:29:07.102Z)": seconds since the run started, and the UTC time of day. */
export function formatRunTime(epochMs: number, startedAtMs: number): string {
  const offset = Number.isFinite(startedAtMs) ? `+${((epochMs - startedAtMs) / 1000).toFixed(1)} s ` : '';
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? offset.trim() : `${offset}(${date.toISOString().slice(11)})`;
}

function anomalyBlocks(anomalies: readonly Anomaly[], startedAtMs: number): Block[] {
  if (anomalies.length === 0) return [paragraph('None found in the 1 s windows.')];
  const rows = anomalies.map((a, index) => [
    anomalyLabel(index),
    a.metric,
    a.kind.replace('_', ' '),
    formatRunTime(a.at_ms, startedAtMs),
    a.end_ms === undefined ? '-' : formatRunTime(a.end_ms, startedAtMs),
    formatNumber(a.before),
    formatNumber(a.after),
    `${a.magnitude_pct >= 0 ? '+' : ''}${formatNumber(a.magnitude_pct)} %`,
    formatP(a.p),
    a.detail,
  ]);
  return [
    table(['#', 'metric', 'kind', 'at', 'until', 'before', 'after', 'change', 'p', 'detail'], rows, (_h, index) => index >= 5 && index <= 8),
    paragraph('before/after: the metric\'s median in the segments either side; times from the run start (UTC time of day in brackets).'),
  ];
}

function correlationBlocks(analysis: RunAnalysis): Block[] {
  if (analysis.correlations.length === 0) return [paragraph('None computed.')];
  const rows = analysis.correlations.map((c) => [c.resource, c.performance, formatNumber(c.rho), formatP(c.p), String(c.n), formatLevel(c.lag_s)]);
  return [
    table(['resource', 'performance', 'Spearman ρ', 'p', 'n', 'lag (s)'], rows, numbersAfter(2)),
    paragraph('Per second, at the lag with the strongest correlation (positive lag: the resource leads).'),
  ];
}
