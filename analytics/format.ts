/** Numbers as the report and the sentences say them: ms below a second, s above; rates and counts plainly. */
export function formatValue(value: number | null | undefined, metric: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (metric.endsWith('_ms')) return Math.abs(value) >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s` : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`;
  if (metric === 'error_rate') return `${(value * 100).toFixed(2)} %`;
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);
}

export function formatPct(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(Math.abs(value) >= 10 ? 0 : 1)} %`;
}

/** A load level or a limit between levels (a concurrency, a rate): whole from 10 up, one decimal below. */
export function formatLevel(value: number): string {
  return Math.abs(value) >= 10 ? value.toFixed(0) : value.toFixed(1);
}
