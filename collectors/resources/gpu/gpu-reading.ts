/**
 * One GPU's reading, whatever read it (NVML, nvidia-smi, a DCGM exporter), and its `gpu` point (DESIGN §6).
 * Every field is optional: a value the driver reports as [N/A] or [Not Supported] is left out of the point
 * rather than written as 0, so summaries never average in numbers nobody measured.
 */
import type { Point } from '../../../pipeline/core/point.js';

export interface GpuReading {
  readonly index: number;
  readonly name: string;
  readonly util_pct?: number;
  readonly mem_util_pct?: number;
  readonly mem_used_mib?: number;
  readonly mem_total_mib?: number;
  readonly power_w?: number;
  readonly power_limit_w?: number;
  readonly temp_c?: number;
  readonly sm_clock_mhz?: number;
  readonly mem_clock_mhz?: number;
  /** nvmlClocksEventReasons bitmask (nvml.h); 0 = clocks as high as they go. */
  readonly throttle_reasons_mask?: number;
  /** Energy counter since driver load, millijoules (NVML, DCGM); nvidia-smi cannot report it. */
  readonly energy_mj?: number;
}

export const GPU_NUMBER_FIELDS = [
  'util_pct',
  'mem_util_pct',
  'mem_used_mib',
  'mem_total_mib',
  'power_w',
  'power_limit_w',
  'temp_c',
  'sm_clock_mhz',
  'mem_clock_mhz',
  'throttle_reasons_mask',
  'energy_mj',
] as const satisfies readonly (keyof GpuReading)[];

export type GpuNumberField = (typeof GPU_NUMBER_FIELDS)[number];

/** A reading being assembled by a parser. */
export type MutableGpuReading = { -readonly [K in keyof GpuReading]: GpuReading[K] };

/** Bits of nvmlClocksEventReasons (nvml.h, NVML_CLOCKS_EVENT_REASON_*), lowest first. */
const THROTTLE_REASON_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'gpu_idle'],
  [0x2, 'applications_clocks_setting'],
  [0x4, 'sw_power_cap'],
  [0x8, 'hw_slowdown'],
  [0x10, 'sync_boost'],
  [0x20, 'sw_thermal_slowdown'],
  [0x40, 'hw_thermal_slowdown'],
  [0x80, 'hw_power_brake_slowdown'],
  [0x100, 'display_clock_setting'],
];

/** "sw_power_cap|hw_slowdown", or "none" for 0; unknown bits show as hex so nothing is hidden. */
export function describeThrottleReasons(mask: number): string {
  if (mask === 0) return 'none';
  const names: string[] = [];
  let rest = mask;
  for (const [bit, name] of THROTTLE_REASON_BITS) {
    if ((mask & bit) !== 0) {
      names.push(name);
      rest -= bit;
    }
  }
  if (rest > 0) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

export function gpuPoint(reading: GpuReading, tags: Readonly<Record<string, string>>, timeMs: number): Point {
  const fields: Record<string, number | string> = {};
  for (const key of GPU_NUMBER_FIELDS) {
    const value = reading[key];
    if (value !== undefined && Number.isFinite(value)) fields[key] = value;
  }
  if (reading.throttle_reasons_mask !== undefined) {
    fields.throttle_reasons = describeThrottleReasons(reading.throttle_reasons_mask);
  }
  return {
    measurement: 'gpu',
    tags: { ...tags, gpu: String(reading.index), name: reading.name },
    fields,
    time_ms: timeMs,
  };
}
