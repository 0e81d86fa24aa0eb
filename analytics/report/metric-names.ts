/** What the report calls each per-request metric, and its unit. */

const TITLES: Readonly<Record<string, string>> = {
  ttft_ms: 'Time to first token',
  itl_ms: 'Inter-token latency (per-request mean)',
  tpot_ms: 'Time per output token',
  total_duration_ms: 'End-to-end latency',
  e2e_from_schedule_ms: 'End-to-end from schedule',
  schedule_lag_ms: 'Schedule lag',
  prompt_eval_duration_ms: 'Prompt evaluation',
  eval_duration_ms: 'Evaluation (decode)',
  prompt_token_rate: 'Prompt token rate',
  eval_token_rate: 'Decode token rate',
  output_tokens: 'Output tokens',
  prompt_tokens: 'Prompt tokens',
  output_tps: 'Output throughput',
};

const SHORT: Readonly<Record<string, string>> = {
  ttft_ms: 'TTFT',
  itl_ms: 'ITL',
  tpot_ms: 'TPOT',
  total_duration_ms: 'e2e',
  e2e_from_schedule_ms: 'e2e from schedule',
};

export function metricTitle(name: string): string {
  return TITLES[name] ?? name;
}

export function metricShortName(name: string): string {
  return SHORT[name] ?? name;
}

/** "ms", "tok/s", "tokens", or "" from the metric's name. */
export function metricUnit(name: string): string {
  if (name.endsWith('_ms')) return 'ms';
  if (name.endsWith('_rate') || name.endsWith('_tps')) return 'tok/s';
  if (name.endsWith('_tokens')) return 'tokens';
  return '';
}
