/**
 * The scaling curve (analysis.scaling, DESIGN §8): throughput and latency per measured level, with the knee and,
 * when SLOs were given, their bounds and the highest level that met them. Drawn only with two levels or more;
 * the points are the measured levels, joined by straight lines (nothing between them was measured).
 */
import type { LevelPercentiles, RunAnalysis, ScalingLevel } from '../../pipeline/core/analysis.js';
import { MARK_COLORS, PALETTE, type ChartMark, type ChartSeries, type ChartSpec } from './chart-spec.js';
import { metricShortName } from './metric-names.js';
import { parseSlo } from './slo-text.js';

type Stat = keyof LevelPercentiles;
const STATS: readonly Stat[] = ['p50', 'p95', 'p99'];
/** Per-token metrics are an order of magnitude below the others: they get the right axis. */
const RIGHT_AXIS = new Set(['itl_ms', 'tpot_ms', 'icl_ms']);

export function scalingCharts(analysis: RunAnalysis | undefined): ChartSpec[] {
  const levels = [...(analysis?.scaling.levels ?? [])].sort((a, b) => a.level - b.level);
  if (!analysis || levels.length < 2) return [];
  const xs = levels.map((level) => level.level);
  const low = xs[0]!;
  const high = xs[xs.length - 1]!;
  const kind = levels[0]!.kind;
  const x = { label: kind === 'concurrency' ? 'concurrent users (level)' : 'offered requests/s (level)', legend: 'level', ...(low > 0 && high / low >= 4 ? { log: 2 as const } : {}) };
  const marks = levelMarks(analysis);

  const throughput: ChartSpec = {
    id: 'scaling-throughput',
    title: 'Throughput per level',
    note: `${levels.length} measured levels (req/s per level: the table below). Goodput: the share of completed requests that met every SLO threshold.${analysis.scaling.knee ? ` Knee: ${analysis.scaling.knee.method}.` : ''}`,
    x,
    axes: [{ label: 'output tok/s', min: 0 }, { label: 'goodput (% of req/s)', min: 0, max: 100 }],
    series: [
      { label: 'output tok/s', color: PALETTE[1], axis: 0, points: true },
      { label: 'goodput %', color: PALETTE[2], axis: 1, points: true, dash: [5, 3] },
    ],
    data: [xs, levels.map((l) => l.output_tps), levels.map((l) => (l.rps > 0 ? (l.goodput_rps / l.rps) * 100 : null))],
    marks,
  };

  const lines = latencyLines(analysis, levels);
  const sloMarks: ChartMark[] = [];
  for (const text of analysis.slo?.slos ?? []) {
    const slo = parseSlo(text);
    if (!slo) continue;
    const line = lines.find((candidate) => candidate.metric === slo.metric && candidate.stat === slo.stat);
    if (line) sloMarks.push({ kind: 'hline', y: slo.value, axis: line.axis, label: `SLO ${text}`, color: MARK_COLORS.slo, dash: [8, 4] });
  }
  const charts = [throughput];
  if (lines.length > 0) {
    charts.push({
      id: 'scaling-latency',
      title: 'Latency per level',
      note: `Percentiles over each level's ok requests.${analysis.slo ? ` ${analysis.slo.sentence}` : ''}`,
      x,
      axes: [{ label: 'ms', min: 0 }, { label: 'per-token ms', min: 0 }],
      series: lines.map((line, index): ChartSeries => ({ label: line.label, color: PALETTE[index % PALETTE.length]!, axis: line.axis, points: true })),
      data: [xs, ...lines.map((line) => line.values)],
      marks: [...marks, ...sloMarks],
    });
  }
  return charts;
}

interface LatencyLine {
  readonly metric: string;
  readonly stat: Stat;
  readonly label: string;
  readonly axis: 0 | 1;
  readonly values: Array<number | null>;
}

/** TTFT, e2e and ITL p95, plus every metric and percentile an SLO names. */
function latencyLines(analysis: RunAnalysis, levels: readonly ScalingLevel[]): LatencyLine[] {
  const wanted: Array<[string, Stat]> = [
    ['ttft_ms', 'p95'],
    ['total_duration_ms', 'p95'],
    ['itl_ms', 'p95'],
  ];
  for (const text of analysis.slo?.slos ?? []) {
    const slo = parseSlo(text);
    if (slo && (STATS as readonly string[]).includes(slo.stat) && !wanted.some(([m, s]) => m === slo.metric && s === slo.stat)) wanted.push([slo.metric, slo.stat as Stat]);
  }
  return wanted
    .map(([metric, stat]) => ({
      metric,
      stat,
      label: `${metricShortName(metric)} ${stat} (ms)`,
      axis: RIGHT_AXIS.has(metric) ? (1 as const) : (0 as const),
      values: levels.map((level) => level.metrics[metric]?.[stat] ?? null),
    }))
    .filter((line) => line.values.some((value) => value !== null));
}

/** The knee, and the SLO limit with its interval, on both scaling charts. */
function levelMarks(analysis: RunAnalysis): ChartMark[] {
  const marks: ChartMark[] = [];
  const knee = analysis.scaling.knee;
  if (knee) marks.push({ kind: 'vline', x: knee.level, label: `knee: ${knee.level}`, color: MARK_COLORS.knee });
  const slo = analysis.slo;
  if (slo?.bracketed && slo.ci_low !== null && slo.ci_high !== null && slo.ci_high > slo.ci_low) {
    marks.push({ kind: 'band', x0: slo.ci_low, x1: slo.ci_high, label: `SLO crossing${slo.crossing !== null ? ` ≈ ${round(slo.crossing)}` : ''} (95 % CI)`, color: MARK_COLORS.sloLimit });
  }
  if (slo && slo.max_level !== null) marks.push({ kind: 'vline', x: slo.max_level, label: `max under SLO: ${slo.max_level}`, color: MARK_COLORS.sloLimit, dash: [3, 3] });
  return marks;
}

const round = (value: number): string => (Math.abs(value) >= 10 ? value.toFixed(0) : value.toPrecision(2));
