/**
 * GPU readings from a DCGM exporter page (or any endpoint speaking its metric names), for GPUs on another
 * host. Names and units from dcgm-exporter's etc/default-counters.csv; labels `gpu` (index), `modelName`,
 * `Hostname` (older exporters) or `hostname`. Pure: the scraping lives in dcgm-sampler.ts.
 */
import { sampleValue, type PrometheusFamily } from '../prometheus-text.js';
import type { GpuNumberField, GpuReading, MutableGpuReading } from './gpu-reading.js';

/** DCGM field → reading field; all already in the units the reading wants (%, MiB, W, °C, MHz, mJ). */
const DCGM_FIELDS: Readonly<Record<string, GpuNumberField>> = {
  DCGM_FI_DEV_GPU_UTIL: 'util_pct',
  DCGM_FI_DEV_MEM_COPY_UTIL: 'mem_util_pct',
  DCGM_FI_DEV_FB_USED: 'mem_used_mib',
  DCGM_FI_DEV_FB_TOTAL: 'mem_total_mib',
  DCGM_FI_DEV_POWER_USAGE: 'power_w',
  DCGM_FI_DEV_POWER_MGMT_LIMIT: 'power_limit_w',
  DCGM_FI_DEV_ENFORCED_POWER_LIMIT: 'power_limit_w',
  DCGM_FI_DEV_GPU_TEMP: 'temp_c',
  DCGM_FI_DEV_SM_CLOCK: 'sm_clock_mhz',
  DCGM_FI_DEV_MEM_CLOCK: 'mem_clock_mhz',
  DCGM_FI_DEV_CLOCK_THROTTLE_REASONS: 'throttle_reasons_mask',
  DCGM_FI_DEV_CLOCKS_EVENT_REASONS: 'throttle_reasons_mask',
  DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: 'energy_mj',
};

export interface DcgmGpuReading {
  readonly reading: GpuReading;
  /** The exporter's host label, when it has one: the GPUs are that host's, not ours. */
  readonly host?: string;
}

/** One reading per `gpu` label, in index order. Memory total is used + free (+ reserved) when no FB_TOTAL. */
export function dcgmReadings(families: readonly PrometheusFamily[]): DcgmGpuReading[] {
  const byGpu = new Map<number, { reading: MutableGpuReading; host?: string; free?: number; reserved?: number }>();
  for (const family of families) {
    const field = DCGM_FIELDS[family.name];
    const isFree = family.name === 'DCGM_FI_DEV_FB_FREE';
    const isReserved = family.name === 'DCGM_FI_DEV_FB_RESERVED';
    if (!field && !isFree && !isReserved) continue;
    for (const sample of family.metrics) {
      const index = Number(sample.labels?.gpu);
      const value = sampleValue(sample);
      if (!Number.isInteger(index) || value === undefined) continue;
      let entry = byGpu.get(index);
      if (!entry) {
        const labels = sample.labels ?? {};
        entry = { reading: { index, name: labels.modelName ?? `GPU ${index}` } };
        const host = labels.Hostname ?? labels.hostname;
        if (host) entry.host = host;
        byGpu.set(index, entry);
      }
      if (isFree) entry.free = value;
      else if (isReserved) entry.reserved = value;
      else entry.reading[field!] = value;
    }
  }
  return [...byGpu.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, entry]) => {
      const { reading } = entry;
      if (reading.mem_total_mib === undefined && reading.mem_used_mib !== undefined && entry.free !== undefined) {
        reading.mem_total_mib = reading.mem_used_mib + entry.free + (entry.reserved ?? 0);
      }
      return entry.host === undefined ? { reading } : { reading, host: entry.host };
    });
}
