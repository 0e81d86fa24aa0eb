/**
 * Parses `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]` output, one line per GPU per interval.
 * Pure: the long-lived process lives in nvidia-smi-sampler.ts. Tested against real H200 captures
 * (shared/fixtures/nvidia-smi), which contain both unit-suffixed values ("107.99 W") and bare ones.
 */
import type { GpuNumberField, GpuReading, MutableGpuReading } from './gpu-reading.js';

/**
 * What the sampler asks for. `clocks_throttle_reasons.active` is the old name of `clocks_event_reasons.active`;
 * current drivers (580 on the H200) still accept it as an alias and older ones know only it, so it works on both.
 */
export const NVIDIA_SMI_QUERY_FIELDS = [
  'index',
  'name',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'power.draw',
  'power.limit',
  'temperature.gpu',
  'clocks.sm',
  'clocks.mem',
  'clocks_throttle_reasons.active',
] as const;

/** Query names (and their aliases) → reading fields. */
const FIELD_OF: Readonly<Record<string, GpuNumberField>> = {
  'utilization.gpu': 'util_pct',
  'utilization.memory': 'mem_util_pct',
  'memory.used': 'mem_used_mib',
  'memory.total': 'mem_total_mib',
  'power.draw': 'power_w',
  'power.limit': 'power_limit_w',
  'temperature.gpu': 'temp_c',
  'clocks.sm': 'sm_clock_mhz',
  'clocks.current.sm': 'sm_clock_mhz',
  'clocks.mem': 'mem_clock_mhz',
  'clocks.current.memory': 'mem_clock_mhz',
  'clocks_throttle_reasons.active': 'throttle_reasons_mask',
  'clocks_event_reasons.active': 'throttle_reasons_mask',
};

/** A header line ("index, name, utilization.gpu [%], …") → query field names without the unit brackets. */
export function parseCsvHeader(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/\s*\[[^\]]*\]$/, ''));
}

/**
 * One data line → raw cells by query field name; "[N/A]", "[Not Supported]" and any other bracketed driver
 * message become null. Returns undefined when the cell count does not match (a truncated or foreign line).
 */
export function parseCsvRow(line: string, fields: readonly string[]): Record<string, string | null> | undefined {
  const cells = line.split(',').map((cell) => cell.trim());
  if (cells.length !== fields.length) return undefined;
  const row: Record<string, string | null> = {};
  fields.forEach((field, i) => {
    const cell = cells[i]!;
    row[field] = /^\[.*\]$/.test(cell) || cell === 'N/A' || cell === '' ? null : cell;
  });
  return row;
}

/** "107.99 W" → 107.99, "0 %" → 0, "0x…04" → 4; undefined for null or anything unparseable. */
export function parseCsvNumber(cell: string | null | undefined): number | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (/^0x[0-9a-f]+$/i.test(cell)) return Number(BigInt(cell));
  const match = /^(-?\d+(?:\.\d+)?)(?:\s*(?:%|MiB|W|MHz|C))?$/.exec(cell);
  return match ? Number(match[1]) : undefined;
}

/** Raw cells → a reading; undefined without an index (the one cell a GPU line always has). */
export function toGpuReading(row: Readonly<Record<string, string | null>>): GpuReading | undefined {
  const index = parseCsvNumber(row.index);
  if (index === undefined) return undefined;
  const reading: MutableGpuReading = { index, name: row.name ?? `GPU ${index}` };
  for (const [query, field] of Object.entries(FIELD_OF)) {
    const value = parseCsvNumber(row[query]);
    if (value !== undefined) reading[field] = value;
  }
  return reading;
}

/** Convenience for a line in the sampler's own field order. */
export function parseQueryLine(line: string, fields: readonly string[] = NVIDIA_SMI_QUERY_FIELDS): GpuReading | undefined {
  const row = parseCsvRow(line, fields);
  return row ? toGpuReading(row) : undefined;
}
