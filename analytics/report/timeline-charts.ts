/**
 * The 1 s timeline: throughput, requests in flight, TTFT and ITL p95, and errors (when there were any), with the stage starts and the
 * analysis' anomalies marked on every chart of the time axis (resources too). x is seconds since the run began.
 */
import type { Anomaly } from '../../pipeline/core/analysis.js';
import { MARK_COLORS, MAX_TIMELINE_POINTS, PALETTE, type ChartMark, type ChartSeries, type ChartSpec } from './chart-spec.js';
import { anomalyLabel } from './analysis-sections.js';
import { downsampleMinMax } from './downsample.js';
import type { StageStart, Timeline, TimelineField } from './timeline-windows.js';

export const TIME_SYNC = 'time';

export interface TimeAxis {
  /** Epoch ms that x = 0 stands for (the run's start). */
  readonly originMs: number;
  readonly label: string;
}

export function timeAxis(originMs: number, startedAt: string): TimeAxis {
  return { originMs, label: `seconds since ${startedAt}` };
}

export const secondsSince = (axis: TimeAxis, epochMs: number): number => (epochMs - axis.originMs) / 1000;

/** Stage starts and anomalies, for every chart on the time axis. */
export function timeMarks(axis: TimeAxis, stages: readonly StageStart[], anomalies: readonly Anomaly[]): ChartMark[] {
  const marks: ChartMark[] = stages.map((stage) => ({ kind: 'vline', x: secondsSince(axis, stage.atMs), label: stage.name, color: MARK_COLORS.stage, dash: [6, 4] }));
  anomalies.forEach((anomaly, index) => {
    const label = `${anomalyLabel(index)} ${anomaly.metric} ${anomaly.kind.replace('_', ' ')}`;
    const x = secondsSince(axis, anomaly.at_ms);
    if (anomaly.end_ms !== undefined && anomaly.end_ms > anomaly.at_ms) {
      marks.push({ kind: 'band', x0: x, x1: secondsSince(axis, anomaly.end_ms), label, color: MARK_COLORS.anomaly });
    } else {
      marks.push({ kind: 'vline', x, label, color: MARK_COLORS.anomaly });
    }
  });
  return marks;
}

interface TimelineChartPlan {
  readonly id: string;
  readonly title: string;
  readonly axes: ChartSpec['axes'];
  readonly series: ReadonlyArray<ChartSeries & { readonly field: TimelineField }>;
  readonly note: string;
  /** Left out when every value is 0 (no errors: report.md's requests line says so). */
  readonly omitWhenZero?: boolean;
}

const PLANS: readonly TimelineChartPlan[] = [
  {
    id: 'timeline-output-tps',
    title: 'Output tokens per second',
    axes: [{ label: 'output tok/s', min: 0 }],
    series: [{ field: 'output_tps', label: 'output tok/s', color: PALETTE[1], axis: 0 }],
    note: 'Output tokens that arrived in each 1 s window (chunk arrival times).',
  },
  {
    id: 'timeline-rps',
    title: 'Completed requests per second',
    axes: [{ label: 'req/s', min: 0 }],
    series: [{ field: 'rps', label: 'req/s (ok)', color: PALETTE[0], axis: 0 }],
    note: 'Requests that completed ok in each window.',
  },
  {
    id: 'timeline-in-flight',
    title: 'Requests in flight',
    axes: [{ label: 'requests', min: 0 }],
    series: [{ field: 'in_flight', label: 'in flight', color: PALETTE[2], axis: 0 }],
    note: 'Requests sent but not finished at the end of each window.',
  },
  {
    id: 'timeline-latency',
    title: 'TTFT and ITL p95 per second',
    axes: [{ label: 'TTFT p95 (ms)', min: 0 }, { label: 'ITL p95 (ms)', min: 0 }],
    series: [
      { field: 'ttft_p95_ms', label: 'TTFT p95 (ms)', color: PALETTE[0], axis: 0 },
      { field: 'itl_p95_ms', label: 'ITL p95 (ms)', color: PALETTE[5], axis: 1 },
    ],
    note: 'Over the ok requests that completed in each window. Where two stages share a second, the higher of their p95s.',
  },
  {
    id: 'timeline-errors',
    title: 'Errors and dropped arrivals',
    axes: [{ label: 'per second', min: 0 }],
    series: [
      { field: 'errors', label: 'errors', color: PALETTE[5], axis: 0, bars: true },
      { field: 'dropped', label: 'dropped', color: PALETTE[3], axis: 0, bars: true },
    ],
    note: 'Requests that failed, and open-loop arrivals dropped at the in-flight cap, per window.',
    omitWhenZero: true,
  },
];

/** Timeline charts are shorter than the others: five of them stack. */
const TIMELINE_HEIGHT = 200;

export function timelineCharts(timeline: Timeline, axis: TimeAxis, marks: readonly ChartMark[]): ChartSpec[] {
  if (timeline.endMs.length === 0) return [];
  const xs = timeline.endMs.map((end) => secondsSince(axis, end));
  const charts: ChartSpec[] = [];
  for (const plan of PLANS) {
    const columns = plan.series.map((series) => timeline.fields[series.field]);
    if (columns.every((column) => column.every((value) => value === null || (plan.omitWhenZero === true && value === 0)))) continue;
    const table = downsampleMinMax(xs, columns, MAX_TIMELINE_POINTS);
    const sampled = table.xs.length < xs.length ? ` ${xs.length} windows drawn as ${table.xs.length} points (each bucket's minimum and maximum kept).` : '';
    charts.push({
      id: plan.id,
      title: plan.title,
      note: `${plan.note} Each point is the 1 s window ending there.${sampled}`,
      x: { label: axis.label, legend: 't (s)' },
      axes: plan.axes,
      series: plan.series.map(({ field: _field, ...series }) => series),
      data: [table.xs, ...table.ys],
      marks,
      sync: TIME_SYNC,
      height: TIMELINE_HEIGHT,
    });
  }
  return charts;
}
