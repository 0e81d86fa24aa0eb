/**
 * llama.cpp's /metrics (engine-apis.md §4g; llama-server --metrics): hand-written Prometheus text with the
 * `llamacpp:` prefix and no labels. The throughput gauges are averages over the whole run here (the real
 * server averages over the interval since the previous scrape).
 */
import type { EngineSnapshot } from '../engine-model.js';
import type { LiveStats } from '../live-stats.js';
import { PrometheusText } from '../prometheus-text.js';

export function renderLlamacppMetrics(stats: LiveStats, snapshot: EngineSnapshot): string {
  const text = new PrometheusText('plain');
  const rate = (tokens: number, seconds: number) => (seconds > 0 ? tokens / seconds : 0);
  text.single('llamacpp:prompt_tokens_total', 'counter', 'Number of prompt tokens processed.', {}, stats.promptTokensTotal);
  text.single('llamacpp:prompt_seconds_total', 'counter', 'Prompt process time', {}, stats.promptSecondsTotal);
  text.single('llamacpp:tokens_predicted_total', 'counter', 'Number of generation tokens processed.', {}, stats.generationTokensTotal);
  text.single('llamacpp:tokens_predicted_seconds_total', 'counter', 'Predict process time', {}, stats.generationSecondsTotal);
  text.single('llamacpp:n_decode_total', 'counter', 'Total number of llama_decode() calls', {}, snapshot.stepsTotal);
  text.single('llamacpp:n_tokens_max', 'counter', 'Largest observed n_tokens.', {}, stats.maxTokensSeen);
  text.single(
    'llamacpp:n_busy_slots_per_decode',
    'counter',
    'Average number of busy slots per llama_decode() call',
    {},
    snapshot.stepsTotal > 0 ? snapshot.batchSizeSum / snapshot.stepsTotal : 0,
  );
  text.single('llamacpp:prompt_tokens_seconds', 'gauge', 'Average prompt throughput in tokens/s.', {}, rate(stats.promptTokensTotal, stats.promptSecondsTotal));
  text.single('llamacpp:predicted_tokens_seconds', 'gauge', 'Average generation throughput in tokens/s.', {}, rate(stats.generationTokensTotal, stats.generationSecondsTotal));
  text.single('llamacpp:requests_processing', 'gauge', 'Number of requests processing.', {}, snapshot.running);
  text.single('llamacpp:requests_deferred', 'gauge', 'Number of requests deferred.', {}, snapshot.waiting);
  return text.toString();
}
