/**
 * llama.cpp's /metrics (engine-apis.md §4g; llama-server --metrics): hand-written Prometheus text with the
 * `llamacpp:` prefix, no labels, and the names, types, help texts and order of the recorded Debian build
 * (test/fixtures/llamacpp/metrics.txt). The throughput gauges are averages over the whole run here (the real
 * server averages over the interval since the previous scrape). The simulator has no prefix cache and no
 * speculative decoding, so those counters stay 0.
 */
import type { EngineSnapshot } from '../engine-model.js';
import type { LiveStats } from '../live-stats.js';
import { PrometheusText } from '../prometheus-text.js';

/** cpp-httplib sends the exposition version without a charset. */
export const LLAMACPP_METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4';

export function renderLlamacppMetrics(stats: LiveStats, snapshot: EngineSnapshot): string {
  const text = new PrometheusText('plain');
  const rate = (tokens: number, seconds: number) => (seconds > 0 ? tokens / seconds : 0);
  text.single('llamacpp:prompt_tokens_total', 'counter', 'Number of prompt tokens processed, excluding cached tokens', {}, stats.promptTokensTotal);
  text.single('llamacpp:prompt_tokens_cached_total', 'counter', 'Number of prompt tokens reused from the cache', {}, 0);
  text.single('llamacpp:prompt_seconds_total', 'counter', 'Total time spent processing prompts', {}, stats.promptSecondsTotal);
  text.single('llamacpp:tokens_predicted_total', 'counter', 'Number of generation tokens processed', {}, stats.generationTokensTotal);
  text.single('llamacpp:tokens_predicted_seconds_total', 'counter', 'Total time spent generating tokens', {}, stats.generationSecondsTotal);
  text.single('llamacpp:n_decode_total', 'counter', 'Total number of llama_decode() calls, excluding speculative decoding and multimodal decoding', {}, snapshot.stepsTotal);
  text.single('llamacpp:n_tokens_max', 'counter', 'Largest observed sequence length (prompt + generation)', {}, stats.maxTokensSeen);
  text.single('llamacpp:spec_decode_num_draft_tokens_total', 'counter', 'Speculative: Total draft tokens generated', {}, 0);
  text.single('llamacpp:spec_decode_num_accepted_tokens_total', 'counter', 'Speculative: Total draft tokens accepted by the target model', {}, 0);
  text.single('llamacpp:spec_decode_num_drafts_total', 'counter', 'Speculative: Total speculative decoding verification steps', {}, 0);
  text.single('llamacpp:prompt_tokens_seconds', 'gauge', 'Average prompt throughput in tokens/s', {}, rate(stats.promptTokensTotal, stats.promptSecondsTotal));
  text.single('llamacpp:predicted_tokens_seconds', 'gauge', 'Average generation throughput in tokens/s', {}, rate(stats.generationTokensTotal, stats.generationSecondsTotal));
  text.single('llamacpp:requests_processing', 'gauge', 'Number of requests processing', {}, snapshot.running);
  text.single('llamacpp:requests_deferred', 'gauge', 'Number of requests deferred', {}, snapshot.waiting);
  text.single(
    'llamacpp:n_busy_slots_per_decode',
    'gauge',
    'Average number of busy slots per llama_decode() call',
    {},
    snapshot.stepsTotal > 0 ? snapshot.batchSizeSum / snapshot.stepsTotal : 0,
  );
  return text.toString();
}
