/**
 * The `resources` summary for run.json: per series (measurement + tags), each numeric field's count, mean,
 * min, max, first and last (first/last give counters' change over the run), and GPU energy per run.
 * Built incrementally as points arrive, so nothing is kept per sample.
 */
import type { Point } from '../../pipeline/core/point.js';

export interface FieldSummary {
  count: number;
  mean: number;
  min: number;
  max: number;
  first: number;
  last: number;
}

export interface SeriesSummary {
  measurement: string;
  tags: Record<string, string>;
  count: number;
  fields: Record<string, FieldSummary>;
}

export interface GpuEnergy {
  /** Sum over GPUs, joules, between the first and the last sample of each. */
  total_j: number;
  per_gpu: Array<{ gpu: string; name: string; energy_j: number; source: 'energy-counter' | 'power-integral'; window_s: number }>;
}

interface FieldState {
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  last: number;
}

interface SeriesState {
  measurement: string;
  tags: Record<string, string>;
  count: number;
  fields: Map<string, FieldState>;
  firstTimeMs: number;
  lastTimeMs: number;
  /** Trapezoidal ∫power dt for GPUs without an energy counter (nvidia-smi), joules. */
  powerIntegralJ: number;
  lastPower?: { timeMs: number; watts: number };
}

export class ResourceSummaryBuilder {
  readonly #series = new Map<string, SeriesState>();

  /** Power samples further apart than this are not integrated across (a gap is not a measurement). */
  constructor(private readonly maxPowerGapMs: number) {}

  add(points: readonly Point[]): void {
    for (const point of points) {
      const { run_id: _runId, ...tags } = point.tags;
      const key = `${point.measurement}\u0000${Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',')}`;
      let series = this.#series.get(key);
      if (!series) {
        series = { measurement: point.measurement, tags, count: 0, fields: new Map(), firstTimeMs: point.time_ms, lastTimeMs: point.time_ms, powerIntegralJ: 0 };
        this.#series.set(key, series);
      }
      series.count++;
      series.lastTimeMs = point.time_ms;
      for (const [name, value] of Object.entries(point.fields)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const field = series.fields.get(name);
        if (!field) series.fields.set(name, { count: 1, sum: value, min: value, max: value, first: value, last: value });
        else {
          field.count++;
          field.sum += value;
          field.min = Math.min(field.min, value);
          field.max = Math.max(field.max, value);
          field.last = value;
        }
      }
      const watts = point.fields.power_w;
      if (point.measurement === 'gpu' && typeof watts === 'number') {
        const before = series.lastPower;
        if (before && point.time_ms > before.timeMs && point.time_ms - before.timeMs <= this.maxPowerGapMs) {
          series.powerIntegralJ += ((before.watts + watts) / 2) * ((point.time_ms - before.timeMs) / 1000);
        }
        series.lastPower = { timeMs: point.time_ms, watts };
      }
    }
  }

  series(): SeriesSummary[] {
    return [...this.#series.values()].map((series) => ({
      measurement: series.measurement,
      tags: series.tags,
      count: series.count,
      fields: Object.fromEntries(
        [...series.fields].map(([name, field]) => [
          name,
          { count: field.count, mean: field.sum / field.count, min: field.min, max: field.max, first: field.first, last: field.last },
        ]),
      ),
    }));
  }

  /** Energy per GPU: the driver's counter where it has one (NVML, DCGM), else the integral of power. */
  gpuEnergy(): GpuEnergy | null {
    const perGpu: GpuEnergy['per_gpu'] = [];
    for (const series of this.#series.values()) {
      if (series.measurement !== 'gpu') continue;
      const counter = series.fields.get('energy_mj');
      const windowS = (series.lastTimeMs - series.firstTimeMs) / 1000;
      const base = { gpu: series.tags.gpu ?? '?', name: series.tags.name ?? '', window_s: windowS };
      if (counter && counter.count >= 2 && counter.last >= counter.first) {
        perGpu.push({ ...base, energy_j: (counter.last - counter.first) / 1000, source: 'energy-counter' });
      } else if ((series.fields.get('power_w')?.count ?? 0) >= 2) {
        perGpu.push({ ...base, energy_j: series.powerIntegralJ, source: 'power-integral' });
      }
    }
    if (perGpu.length === 0) return null;
    return { total_j: perGpu.reduce((sum, gpu) => sum + gpu.energy_j, 0), per_gpu: perGpu };
  }
}
