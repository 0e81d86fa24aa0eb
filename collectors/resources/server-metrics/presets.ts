/**
 * Which Prometheus series each engine's `/metrics` is worth recording at 1 Hz (shared/reference/engine-apis.md
 * §2g vLLM, §3g TGI, §4g llama.cpp, §5 SGLang): queue depth, running requests, KV-cache use, batch size and
 * token counters. Gauges and counters only (histograms are for the engine's own dashboards; ours come from
 * the client's per-request records).
 *
 * Labels are folded: series of one metric are combined across their labels (model_name, engine index,
 * finished_reason) with `combine` — counts add up; ratios such as KV-cache use take the maximum, because
 * the fullest engine is the one that queues requests. A run targets one model, so a model tag would add
 * cardinality and no information.
 */
export type EngineMetricsEngine = 'vllm' | 'tgi' | 'llamacpp' | 'sglang';

export interface PresetMetric {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly combine: 'sum' | 'max';
  /** Older names for the same quantity, tried when `name` is absent. */
  readonly aliases?: readonly string[];
  /** What it means across engines (correlation picks KV-cache use by role). */
  readonly role?: 'running' | 'waiting' | 'kv_cache_usage' | 'batch_size' | 'prompt_tokens' | 'generation_tokens';
}

export interface EngineMetricsPreset {
  readonly engine: EngineMetricsEngine;
  /** Metric names of this engine start with it; used to recognise the engine behind an OpenAI-compatible URL. */
  readonly prefix: string;
  readonly metrics: readonly PresetMetric[];
}

const gauge = (name: string, combine: 'sum' | 'max', extra: Partial<PresetMetric> = {}): PresetMetric => ({ name, type: 'gauge', combine, ...extra });
const counter = (name: string, extra: Partial<PresetMetric> = {}): PresetMetric => ({ name, type: 'counter', combine: 'sum', ...extra });

export const ENGINE_METRICS_PRESETS: Readonly<Record<EngineMetricsEngine, EngineMetricsPreset>> = {
  vllm: {
    engine: 'vllm',
    prefix: 'vllm:',
    metrics: [
      gauge('vllm:num_requests_running', 'sum', { role: 'running' }),
      gauge('vllm:num_requests_waiting', 'sum', { role: 'waiting' }),
      // 0–1; replaced vllm:gpu_cache_usage_perc in 0.9.
      gauge('vllm:kv_cache_usage_perc', 'max', { role: 'kv_cache_usage', aliases: ['vllm:gpu_cache_usage_perc'] }),
      counter('vllm:prompt_tokens_total', { role: 'prompt_tokens' }),
      counter('vllm:generation_tokens_total', { role: 'generation_tokens' }),
      counter('vllm:num_preemptions_total'),
      counter('vllm:request_success_total'),
      counter('vllm:prefix_cache_queries_total', { aliases: ['vllm:gpu_prefix_cache_queries_total'] }),
      counter('vllm:prefix_cache_hits_total', { aliases: ['vllm:gpu_prefix_cache_hits_total'] }),
    ],
  },
  tgi: {
    engine: 'tgi',
    prefix: 'tgi_',
    metrics: [
      gauge('tgi_queue_size', 'sum', { role: 'waiting' }),
      gauge('tgi_batch_current_size', 'sum', { role: 'batch_size' }),
      gauge('tgi_batch_current_max_tokens', 'sum'),
      counter('tgi_request_count'),
      counter('tgi_request_success'),
      counter('tgi_request_failure'),
    ],
  },
  llamacpp: {
    engine: 'llamacpp',
    prefix: 'llamacpp:',
    metrics: [
      gauge('llamacpp:requests_processing', 'sum', { role: 'running' }),
      gauge('llamacpp:requests_deferred', 'sum', { role: 'waiting' }),
      gauge('llamacpp:n_busy_slots_per_decode', 'max', { role: 'batch_size' }),
      // Older builds only.
      gauge('llamacpp:kv_cache_usage_ratio', 'max', { role: 'kv_cache_usage' }),
      gauge('llamacpp:kv_cache_tokens', 'sum'),
      // Averages since the previous /metrics call (llama-server resets them on each), so at 1 Hz: tok/s per second.
      gauge('llamacpp:prompt_tokens_seconds', 'max'),
      gauge('llamacpp:predicted_tokens_seconds', 'max'),
      counter('llamacpp:prompt_tokens_total', { role: 'prompt_tokens' }),
      counter('llamacpp:tokens_predicted_total', { role: 'generation_tokens' }),
      counter('llamacpp:n_decode_total'),
    ],
  },
  sglang: {
    engine: 'sglang',
    prefix: 'sglang:',
    metrics: [
      gauge('sglang:num_running_reqs', 'sum', { role: 'running' }),
      gauge('sglang:num_queue_reqs', 'sum', { role: 'waiting' }),
      gauge('sglang:token_usage', 'max', { role: 'kv_cache_usage' }),
      gauge('sglang:num_used_tokens', 'sum'),
      gauge('sglang:cache_hit_rate', 'max'),
      gauge('sglang:gen_throughput', 'sum'),
      counter('sglang:prompt_tokens_total', { role: 'prompt_tokens' }),
      counter('sglang:generation_tokens_total', { role: 'generation_tokens' }),
    ],
  },
};

/** Every metric name (with aliases) that means KV-cache use, for correlation. */
export const KV_CACHE_METRICS: readonly string[] = Object.values(ENGINE_METRICS_PRESETS).flatMap((preset) =>
  preset.metrics.filter((metric) => metric.role === 'kv_cache_usage').flatMap((metric) => [metric.name, ...(metric.aliases ?? [])]),
);

export function presetFor(engine: string | undefined): EngineMetricsPreset | undefined {
  return engine !== undefined && engine in ENGINE_METRICS_PRESETS ? ENGINE_METRICS_PRESETS[engine as EngineMetricsEngine] : undefined;
}
