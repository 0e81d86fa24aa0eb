/**
 * The report's resources section, from run.json `resources` (collectors/resources/monitor.ts ResourcesSummary):
 * how sampling went, each series' fields (mean, min, max; the change over the run for counters), GPU energy and
 * the monitor's notices. run.json is read defensively: an older or partial one just says less.
 */
import { ENGINE_METRICS_PRESETS } from '../../collectors/resources/server-metrics/presets.js';
import { formatNumber } from './metric-rows.js';
import { list, numbersAfter, paragraph, table, type Block, type ReportSection, type Text } from './report-document.js';
import { fieldUnit, resourceSeriesName, words } from './resource-labels.js';

interface FieldStats {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly first: number;
  readonly last: number;
}

interface Series {
  /** Overrides the name made from measurement and tags. */
  readonly label?: string;
  readonly measurement: string;
  readonly tags: Record<string, string>;
  readonly fields: Record<string, FieldStats>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Fields that are identities or constants, not measurements. */
const SKIPPED_FIELDS = new Set(['pid', 'throttle_reasons_mask']);

const COUNTERS = new Set(Object.values(ENGINE_METRICS_PRESETS).flatMap((preset) => preset.metrics.filter((m) => m.type === 'counter').flatMap((m) => [m.name, ...(m.aliases ?? [])])));

function isCounter(series: Series, field: string): boolean {
  return field === 'energy_mj' || (series.measurement === 'engine_metric' && COUNTERS.has(series.tags.metric ?? ''));
}

function readSeries(value: unknown): Series[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Series[] => {
    if (!isRecord(item) || typeof item.measurement !== 'string' || !isRecord(item.fields)) return [];
    const tags = isRecord(item.tags) ? Object.fromEntries(Object.entries(item.tags).map(([k, v]) => [k, String(v)])) : {};
    const fields: Record<string, FieldStats> = {};
    for (const [name, stats] of Object.entries(item.fields)) {
      if (!isRecord(stats)) continue;
      const count = num(stats.count);
      const mean = num(stats.mean);
      const min = num(stats.min);
      const max = num(stats.max);
      if (count === null || mean === null || min === null || max === null) continue;
      fields[name] = { count, mean, min, max, first: num(stats.first) ?? Number.NaN, last: num(stats.last) ?? Number.NaN };
    }
    return [{ measurement: item.measurement, tags, fields }];
  });
}

/** Per-core host CPU series folded into one per host: the mean of the cores' means, the lowest and highest sample. */
function foldCores(series: readonly Series[]): Series[] {
  const cores = new Map<string, Series[]>();
  const kept: Series[] = [];
  for (const item of series) {
    if (item.measurement !== 'host_cpu') {
      kept.push(item);
      continue;
    }
    const host = item.tags.host ?? '';
    cores.set(host, [...(cores.get(host) ?? []), item]);
  }
  for (const [host, items] of cores) {
    const stats = items.map((item) => item.fields.cpu_pct).filter((field): field is FieldStats => field !== undefined);
    if (stats.length === 0) continue;
    kept.push({
      measurement: 'host_cpu',
      label: `${words('host', host)}, ${items.length} cores (per core)`,
      tags: { host },
      fields: {
        cpu_pct: {
          count: stats.reduce((sum, s) => sum + s.count, 0),
          mean: stats.reduce((sum, s) => sum + s.mean, 0) / stats.length,
          min: Math.min(...stats.map((s) => s.min)),
          max: Math.max(...stats.map((s) => s.max)),
          first: Number.NaN,
          last: Number.NaN,
        },
      },
    });
  }
  return kept;
}

/** A value with the unit its field's name carries: "535.7 MiB", "12.6 %", "9.58 MiB/s". */
export function formatWithUnit(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '-';
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'B/s') return `${formatBytes(value)}/s`;
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let index = 0;
  while (Math.abs(value) >= 1024 && index < units.length - 1) {
    value /= 1024;
    index++;
  }
  return `${formatNumber(value)} ${units[index]}`;
}

export function resourcesSection(resources: Record<string, unknown> | undefined): ReportSection {
  const blocks: Block[] = [];
  if (!resources) {
    blocks.push(paragraph('No resources were sampled (the run had --no-monitor, or ended before its monitor started).'));
    return { id: 'resources', title: 'Resources', blocks };
  }
  const interval = num(resources.interval_ms);
  const ticks = num(resources.ticks);
  if (interval !== null && ticks !== null) {
    blocks.push(paragraph(`Sampled every ${formatNumber(interval)} ms: ${ticks} ticks, ${num(resources.ticks_missed) ?? 0} missed.`));
  }

  if (isRecord(resources.samplers) && Object.keys(resources.samplers).length > 0) {
    const rows = Object.entries(resources.samplers).map(([label, report]) => {
      const r = isRecord(report) ? report : {};
      const count = (value: unknown) => (num(value) === null ? '-' : String(num(value)));
      return [label, String(r.source ?? '-'), count(r.samples), count(r.failures), count(r.skipped_busy), formatNumber(num(r.sample_wall_ms_mean)), formatNumber(num(r.sample_wall_ms_max))];
    });
    blocks.push(table(['sampler', 'source', 'samples', 'failures', 'skipped (busy)', 'sample time mean (ms)', 'max (ms)'], rows, numbersAfter(2)));
  }

  const series = foldCores(readSeries(resources.series));
  const rows: string[][] = [];
  for (const item of series) {
    for (const [field, stats] of Object.entries(item.fields)) {
      if (SKIPPED_FIELDS.has(field)) continue;
      const unit = fieldUnit(field);
      const counter = isCounter(item, field);
      rows.push([
        item.label ?? resourceSeriesName(item.measurement, item.tags),
        field,
        String(stats.count),
        counter ? '-' : formatWithUnit(stats.mean, unit),
        formatWithUnit(stats.min, unit),
        formatWithUnit(stats.max, unit),
        counter ? formatWithUnit(stats.last - stats.first, unit) : '-',
      ]);
    }
  }
  if (rows.length > 0) {
    blocks.push(table(['series', 'field', 'samples', 'mean', 'min', 'max', 'change (counters)'], rows, numbersAfter(2)));
    blocks.push(paragraph('Host CPU per core is folded into one row per host: the mean of the cores\' means, the lowest and the highest core sample. A counter\'s change is its last value less its first.'));
  } else {
    blocks.push(paragraph('No resource samples were recorded.'));
  }

  const energy = energyLines(resources);
  if (energy.length > 0) blocks.push(list(energy));
  const notices = Array.isArray(resources.notices) ? resources.notices.filter((line): line is string => typeof line === 'string') : [];
  if (notices.length > 0) {
    blocks.push(paragraph('Notices from the monitor:'));
    blocks.push(list(notices));
  }
  return { id: 'resources', title: 'Resources', blocks };
}

function energyLines(resources: Record<string, unknown>): Text[] {
  const energy = resources.gpu_energy;
  if (!isRecord(energy) || num(energy.total_j) === null) return [];
  const perGpu = Array.isArray(energy.per_gpu) ? energy.per_gpu.filter(isRecord) : [];
  const lines: Text[] = [
    `GPU energy: ${formatNumber(num(energy.total_j))} J in all${perGpu.length > 0 ? ` (${perGpu.map((gpu) => `GPU ${String(gpu.gpu)}${gpu.name ? ` ${String(gpu.name)}` : ''}: ${formatNumber(num(gpu.energy_j))} J over ${formatNumber(num(gpu.window_s))} s, from its ${String(gpu.source)}`).join('; ')})` : ''}`,
  ];
  const perToken = num(resources.energy_per_output_token_j);
  if (perToken !== null) lines.push(`energy per output token: ${formatNumber(perToken)} J`);
  return lines;
}
