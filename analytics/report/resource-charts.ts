/**
 * Resources over time, on the timeline's axis: GPU utilisation and memory, GPU power and temperature, CPU (host
 * and processes), memory, and the engine's KV cache and queue. A chart is drawn only when its series were
 * sampled; every series is downsampled on its own (min/max kept) and joined on one x axis.
 */
import { ENGINE_METRICS_PRESETS, KV_CACHE_METRICS } from '../../collectors/resources/server-metrics/presets.js';
import type { ResourceSeries, ResourceTable } from '../run-data.js';
import { MAX_TIMELINE_POINTS, paletteColor, type ChartAxis, type ChartMark, type ChartSeries, type ChartSpec } from './chart-spec.js';
import { joinSeries } from './downsample.js';
import { resourceSeriesName } from './resource-labels.js';
import { secondsSince, TIME_SYNC, type TimeAxis } from './timeline-charts.js';

interface Line {
  readonly series: ResourceSeries;
  readonly label: string;
  readonly axis: 0 | 1;
  /** Multiplies every value (bytes → GiB, ratio → %). */
  readonly scale: number;
  readonly dash?: readonly number[];
}

interface ResourceChartPlan {
  readonly id: string;
  readonly title: string;
  readonly axes: readonly [ChartAxis] | readonly [ChartAxis, ChartAxis];
  readonly lines: (resources: ResourceTable) => Line[];
  readonly note: string;
}

const GIB = 1024 ** 3;
const DASHED = [5, 3];

const roleNames = (role: string): string[] =>
  Object.values(ENGINE_METRICS_PRESETS).flatMap((preset) => preset.metrics.filter((metric) => metric.role === role).flatMap((metric) => [metric.name, ...(metric.aliases ?? [])]));

const engineMetric = (resources: ResourceTable, names: readonly string[]): ResourceSeries[] =>
  resources.find('engine_metric', 'value').filter((series) => names.includes(series.tags.metric ?? ''));

const PLANS: readonly ResourceChartPlan[] = [
  {
    id: 'resources-gpu',
    title: 'GPU utilisation and memory',
    axes: [{ label: 'utilisation %', min: 0, max: 100 }, { label: 'memory used (MiB)', min: 0 }],
    lines: (resources) => [
      ...resources.find('gpu', 'util_pct').map((series) => ({ series, label: `${resourceSeriesName('gpu', series.tags)} util %`, axis: 0 as const, scale: 1 })),
      ...resources.find('gpu', 'mem_used_mib').map((series) => ({ series, label: `${resourceSeriesName('gpu', series.tags)} MiB`, axis: 1 as const, scale: 1, dash: DASHED })),
    ],
    note: 'As the driver reported each sample (NVML, nvidia-smi or DCGM).',
  },
  {
    id: 'resources-gpu-power',
    title: 'GPU power and temperature',
    axes: [{ label: 'power (W)', min: 0 }, { label: 'temperature (°C)' }],
    lines: (resources) => [
      ...resources.find('gpu', 'power_w').map((series) => ({ series, label: `${resourceSeriesName('gpu', series.tags)} W`, axis: 0 as const, scale: 1 })),
      ...resources.find('gpu', 'temp_c').map((series) => ({ series, label: `${resourceSeriesName('gpu', series.tags)} °C`, axis: 1 as const, scale: 1, dash: DASHED })),
    ],
    note: 'Board power draw and GPU temperature per sample.',
  },
  {
    id: 'resources-cpu',
    title: 'CPU',
    axes: [{ label: 'host: % of all cores', min: 0, max: 100 }, { label: 'process: % of one core', min: 0 }],
    lines: (resources) => [
      ...resources.find('host', 'cpu_pct').map((series) => ({ series, label: `${resourceSeriesName('host', series.tags)} CPU %`, axis: 0 as const, scale: 1 })),
      ...resources.find('process', 'cpu_pct').map((series) => ({ series, label: `${resourceSeriesName('process', series.tags)} CPU %`, axis: 1 as const, scale: 1, dash: DASHED })),
    ],
    note: 'Host CPU busy share over all cores (left); the client and engine processes in % of one core (right; above 100 = more than one core).',
  },
  {
    id: 'resources-memory',
    title: 'Memory',
    axes: [{ label: 'GiB', min: 0 }],
    lines: (resources) => [
      ...resources.find('host', 'mem_used_bytes').map((series) => ({ series, label: `${resourceSeriesName('host', series.tags)} used GiB`, axis: 0 as const, scale: 1 / GIB })),
      ...resources.find('process', 'rss_bytes').map((series) => ({ series, label: `${resourceSeriesName('process', series.tags)} RSS GiB`, axis: 0 as const, scale: 1 / GIB, dash: DASHED })),
    ],
    note: 'Host memory in use (total − available) and the resident set of the client and engine processes.',
  },
  {
    id: 'resources-engine',
    title: 'Engine KV cache and queue',
    axes: [{ label: 'KV cache used %', min: 0, max: 100 }, { label: 'requests', min: 0 }],
    lines: (resources) => [
      ...engineMetric(resources, KV_CACHE_METRICS).map((series) => ({ series, label: `${series.tags.metric} %`, axis: 0 as const, scale: 100 })),
      ...engineMetric(resources, [...roleNames('running'), ...roleNames('waiting'), ...roleNames('batch_size')]).map((series) => ({
        series,
        label: series.tags.metric ?? 'engine metric',
        axis: 1 as const,
        scale: 1,
        dash: DASHED,
      })),
    ],
    note: "Scraped from the engine's /metrics: KV-cache use (a 0–1 ratio, shown in %), running and waiting requests.",
  },
];

export function resourceCharts(resources: ResourceTable, axis: TimeAxis, marks: readonly ChartMark[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  for (const plan of PLANS) {
    const lines = plan.lines(resources).filter((line) => line.series.values.length > 0);
    if (lines.length === 0) continue;
    const maxPointsEach = Math.max(4, Math.floor(MAX_TIMELINE_POINTS / lines.length));
    const table = joinSeries(
      lines.map((line) => ({
        xs: Array.from(line.series.timesMs.view(), (timeMs) => secondsSince(axis, timeMs)),
        ys: Array.from(line.series.values.view(), (value) => value * line.scale),
      })),
      maxPointsEach,
    );
    const series: ChartSeries[] = lines.map((line, index) => ({ label: line.label, color: paletteColor(index), axis: line.axis, ...(line.dash ? { dash: line.dash } : {}) }));
    const samples = lines.reduce((sum, line) => sum + line.series.values.length, 0);
    const thinned = lines.some((line) => line.series.values.length > maxPointsEach);
    charts.push({
      id: plan.id,
      title: plan.title,
      note: `${plan.note} ${samples} samples${thinned ? `; series longer than ${maxPointsEach} points are downsampled, each bucket's minimum and maximum kept` : ''}.`,
      x: { label: axis.label, legend: 't (s)' },
      axes: plan.axes,
      series,
      data: [table.xs, ...table.ys],
      marks,
      sync: TIME_SYNC,
      spanGaps: true,
      height: 220,
    });
  }
  return charts;
}
