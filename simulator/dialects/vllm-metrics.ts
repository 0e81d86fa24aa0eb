/**
 * vLLM's /metrics (engine-apis.md §2g, vllm/v1/metrics/loggers.py): prometheus_client text with the V1
 * labels `model_name` and `engine`, live gauges from the engine model, counters and histograms from LiveStats.
 */
import type { ResolvedOptions } from '../options.js';
import type { HistogramBuckets, HistogramName, LiveStats } from '../live-stats.js';
import type { EngineSnapshot } from '../engine-model.js';
import { PrometheusText } from '../prometheus-text.js';

const REQUEST_LATENCY_BUCKETS = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

/** vLLM's build_1_2_5_buckets(max_model_len): 1, 2, 5, 10, 20, 50, … up to the context length. */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exponent = 0; ; exponent++) {
    for (const mantissa of [1, 2, 5]) {
      const value = mantissa * 10 ** exponent;
      if (value > max) return out;
      out.push(value);
    }
  }
}

export function vllmBuckets(options: ResolvedOptions): HistogramBuckets {
  const tokenBuckets = buckets125(options.perf.maxModelLen);
  return {
    ttft_s: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0],
    itl_s: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0],
    e2e_s: REQUEST_LATENCY_BUCKETS,
    queue_s: REQUEST_LATENCY_BUCKETS,
    prefill_s: REQUEST_LATENCY_BUCKETS,
    decode_s: REQUEST_LATENCY_BUCKETS,
    inference_s: REQUEST_LATENCY_BUCKETS,
    prompt_tokens: tokenBuckets,
    generation_tokens: tokenBuckets,
    max_new_tokens: tokenBuckets,
  };
}

const HISTOGRAMS: ReadonlyArray<readonly [string, HistogramName, string]> = [
  ['vllm:time_to_first_token_seconds', 'ttft_s', 'Histogram of time to first token in seconds.'],
  ['vllm:inter_token_latency_seconds', 'itl_s', 'Histogram of inter-token latency in seconds.'],
  ['vllm:e2e_request_latency_seconds', 'e2e_s', 'Histogram of e2e request latency in seconds.'],
  ['vllm:request_queue_time_seconds', 'queue_s', 'Histogram of time spent in WAITING phase for request.'],
  ['vllm:request_inference_time_seconds', 'inference_s', 'Histogram of time spent in RUNNING phase for request.'],
  ['vllm:request_prefill_time_seconds', 'prefill_s', 'Histogram of time spent in PREFILL phase for request.'],
  ['vllm:request_decode_time_seconds', 'decode_s', 'Histogram of time spent in DECODE phase for request.'],
  ['vllm:request_prompt_tokens', 'prompt_tokens', 'Number of prefill tokens processed.'],
  ['vllm:request_generation_tokens', 'generation_tokens', 'Number of generation tokens processed.'],
  ['vllm:request_params_max_tokens', 'max_new_tokens', 'Histogram of the max_tokens request parameter.'],
];

export function renderVllmMetrics(model: string, stats: LiveStats, snapshot: EngineSnapshot): string {
  const labels = { model_name: model, engine: '0' };
  const text = new PrometheusText('python');
  text.single('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', labels, snapshot.running);
  text.single('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', labels, snapshot.waiting);
  text.single('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', labels, snapshot.kvUsedTokens / snapshot.kvCapacityTokens);
  text.single('vllm:num_preemptions_total', 'counter', 'Cumulative number of preemption from the engine.', labels, 0);
  text.single('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', labels, stats.promptTokensTotal);
  text.single('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', labels, stats.generationTokensTotal);
  text.family('vllm:request_success_total', 'counter', 'Count of successfully processed requests.');
  // Requests the client abandoned (or a disconnect fault cut) finish with reason "abort" in vLLM V1.
  const aborted = (stats.failuresByKind.get('client_closed') ?? 0) + (stats.failuresByKind.get('disconnect') ?? 0);
  for (const reason of ['stop', 'length', 'abort']) {
    const count = (stats.successByReason.get(reason) ?? 0) + (reason === 'abort' ? aborted : 0);
    text.sample('vllm:request_success_total', { ...labels, finished_reason: reason }, count);
  }
  for (const [name, key, help] of HISTOGRAMS) {
    const histogram = stats.histogram(key);
    if (!histogram) continue;
    text.family(name, 'histogram', help).histogramSamples(name, labels, histogram);
  }
  return text.toString();
}
