/**
 * TGI's /metrics (engine-apis.md §3g): the Rust `metrics` exporter, no HELP lines, integers without ".0",
 * TGI's own bucket layout (router/src/server.rs): durations 0.0001·1.5^k, token counts in hundredths of the
 * configured limits.
 */
import type { EngineSnapshot } from '../engine-model.js';
import type { HistogramBuckets, HistogramName, LiveStats } from '../live-stats.js';
import type { ResolvedOptions } from '../options.js';
import { PrometheusText } from '../prometheus-text.js';

export function tgiBuckets(options: ResolvedOptions): HistogramBuckets {
  const durations: number[] = [];
  let value = 0.0001;
  for (let i = 0; i < 35; i++) durations.push((value *= 1.5));
  const maxTotalTokens = options.perf.maxModelLen;
  const maxInputTokens = maxTotalTokens - 1;
  const hundredths = (limit: number) => Array.from({ length: 100 }, (_, i) => (limit / 100) * (i + 1));
  return {
    e2e_s: durations,
    queue_s: durations,
    inference_s: durations,
    tpot_s: durations,
    prompt_tokens: hundredths(maxInputTokens),
    generation_tokens: hundredths(maxTotalTokens),
    max_new_tokens: hundredths(maxTotalTokens),
  };
}

const HISTOGRAMS: ReadonlyArray<readonly [string, HistogramName]> = [
  ['tgi_request_duration', 'e2e_s'],
  ['tgi_request_generated_tokens', 'generation_tokens'],
  ['tgi_request_inference_duration', 'inference_s'],
  ['tgi_request_input_length', 'prompt_tokens'],
  ['tgi_request_max_new_tokens', 'max_new_tokens'],
  ['tgi_request_mean_time_per_token_duration', 'tpot_s'],
  ['tgi_request_queue_duration', 'queue_s'],
];

export function renderTgiMetrics(stats: LiveStats, snapshot: EngineSnapshot): string {
  const text = new PrometheusText('plain');
  let succeeded = 0;
  for (const count of stats.successByReason.values()) succeeded += count;
  text.single('tgi_request_count', 'counter', undefined, {}, stats.requestsTotal);
  text.single('tgi_request_success', 'counter', undefined, {}, succeeded);
  if (stats.failuresByKind.size > 0) {
    text.family('tgi_request_failure', 'counter');
    for (const [kind, count] of stats.failuresByKind) text.sample('tgi_request_failure', { err: tgiErrorKind(kind) }, count);
  }
  text.family('tgi_batch_inference_count', 'counter');
  text.sample('tgi_batch_inference_count', { method: 'prefill' }, snapshot.prefillStepsTotal);
  text.sample('tgi_batch_inference_count', { method: 'decode' }, snapshot.stepsTotal - snapshot.prefillStepsTotal);
  text.single('tgi_batch_current_size', 'gauge', undefined, {}, snapshot.running);
  text.single('tgi_batch_current_max_tokens', 'gauge', undefined, {}, snapshot.kvUsedTokens);
  text.single('tgi_batch_max_total_tokens', 'gauge', undefined, {}, snapshot.kvCapacityTokens);
  text.single('tgi_queue_size', 'gauge', undefined, {}, snapshot.waiting);
  for (const [name, key] of HISTOGRAMS) {
    const histogram = stats.histogram(key);
    if (histogram) text.family(name, 'histogram').histogramSamples(name, {}, histogram);
  }
  return text.toString();
}

/** TGI labels failures by its error_type. */
function tgiErrorKind(kind: string): string {
  switch (kind) {
    case 'overloaded':
      return 'overloaded';
    case 'client_closed':
    case 'disconnect':
      return 'incomplete_generation';
    default:
      return 'generation';
  }
}
