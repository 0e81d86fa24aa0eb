/**
 * SGLang (engine-apis.md §5): native `POST /generate` (SSE, cumulative `text`, per-chunk `output_ids`,
 * `meta_info` with cumulative `completion_tokens`, `e2e_latency` in seconds on the last chunk, `data: [DONE]`),
 * the vLLM-style /v1 endpoints, `/health`, `/get_model_info`, `/get_server_info`, and `/metrics` with
 * `sglang:` names.
 */
import type { Dialect, DialectModule, GenerationState, RequestContext, SimCore, StreamPlan, UnaryPlan } from '../dialect.js';
import { JSON_CONTENT_TYPE, SSE_CONTENT_TYPE, sseData } from '../dialect.js';
import type { HistogramBuckets, HistogramName } from '../live-stats.js';
import { decideLength } from '../output-length.js';
import { PROMETHEUS_CONTENT_TYPE, PrometheusText } from '../prometheus-text.js';
import { randomHex } from '../random.js';
import { countPromptTokens } from '../tokens.js';
import { openAiRoutes } from './openai-compat.js';
import { isObject } from './openai-request.js';
import { fastApiNotFound } from './vllm.js';

export const SGLANG_VERSION = '0.5.4';
/** The EOS token id reported in `finish_reason.matched` when the "model" stops by itself. */
const EOS_TOKEN_ID = 2;

function sglangErrorBody(message: string): string {
  return JSON.stringify({ error: { message } });
}

const BUCKETS: HistogramBuckets = {
  ttft_s: [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400],
  e2e_s: [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 800],
  itl_s: [0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8],
};

export const sglangDialect: DialectModule = {
  buckets: () => BUCKETS,
  create(core): Dialect {
    const metrics = metricsRenderer(core);
    return {
      engine: 'sglang',
      routes: [
        { method: 'POST', path: '/generate', generation: true, handle: handleGenerate },
        ...openAiRoutes('sglang'),
        { method: 'GET', path: '/health', handle: (ctx) => ctx.send(200, '', '') },
        { method: 'GET', path: '/health_generate', handle: (ctx) => ctx.send(200, '', '') },
        { method: 'GET', path: '/get_model_info', handle: (ctx) => ctx.sendJson(200, modelInfo(core)) },
        { method: 'GET', path: '/get_server_info', handle: (ctx) => ctx.sendJson(200, serverInfo(core)) },
        { method: 'GET', path: '/server_info', handle: (ctx) => ctx.sendJson(200, serverInfo(core)) },
        { method: 'GET', path: '/metrics', handle: (ctx) => ctx.send(200, PROMETHEUS_CONTENT_TYPE, metrics()) },
      ],
      notFound: fastApiNotFound,
    };
  },
};

function modelInfo(core: SimCore): unknown {
  return { model_path: core.options.model, tokenizer_path: core.options.model, is_generation: true, preferred_sampling_params: null, weight_version: 'default' };
}

function serverInfo(core: SimCore): unknown {
  return {
    model_path: core.options.model,
    served_model_name: core.options.model,
    context_length: core.options.perf.maxModelLen,
    max_running_requests: core.options.perf.slots,
    max_total_num_tokens: core.options.perf.kvCacheTokens,
    stream_interval: core.options.perf.tokensPerChunk,
    enable_metrics: true,
    version: SGLANG_VERSION,
  };
}

async function handleGenerate(ctx: RequestContext): Promise<void> {
  const fail = (message: string) => ctx.send(400, JSON_CONTENT_TYPE, sglangErrorBody(message));
  const parsed = ctx.json();
  if (!parsed.ok) return fail(`JSON decode error: ${parsed.error}`);
  const body = parsed.value;
  if (!isObject(body)) return fail('the request body must be a JSON object');
  const text = Array.isArray(body.text) && body.text.length === 1 ? body.text[0] : body.text;
  const promptTokens = countPromptTokens(text ?? body.input_ids);
  if (promptTokens === undefined) return fail('Either text or input_ids should be provided (one prompt per request in the simulator).');
  const stream = body.stream === true;
  const model = ctx.core.options.model;
  ctx.note({ model, stream, promptTokens });
  const sampling = isObject(body.sampling_params) ? body.sampling_params : {};
  const maxNewTokens = Number.isInteger(sampling.max_new_tokens) ? (sampling.max_new_tokens as number) : 128;
  const minNewTokens = Number.isInteger(sampling.min_new_tokens) ? (sampling.min_new_tokens as number) : 0;
  if (maxNewTokens < 1) return fail('max_new_tokens must be at least 1 in the simulator.');
  if (minNewTokens > maxNewTokens) return fail(`min_new_tokens must be in [0, max_new_tokens], got ${minNewTokens}.`);
  const contextLength = ctx.core.options.perf.maxModelLen;
  if (promptTokens + maxNewTokens > contextLength) {
    return fail(
      `Requested token count exceeds the model's maximum context length of ${contextLength} tokens. You requested a total of ${promptTokens + maxNewTokens} tokens: ${promptTokens} tokens from the input messages and ${maxNewTokens} tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.`,
    );
  }
  const length = decideLength({ maxTokens: maxNewTokens, minTokens: minNewTokens, ignoreEos: sampling.ignore_eos === true }, ctx.core.options.perf.naturalLengthTokens);
  const rid = typeof body.rid === 'string' ? body.rid : randomHex(32);
  const finishReason = (state: GenerationState) =>
    state.finishReason === 'length' ? { type: 'length', length: state.tokens.length } : { type: 'stop', matched: EOS_TOKEN_ID };
  const metaInfo = (state: GenerationState, final: boolean) => ({
    id: rid,
    finish_reason: final ? finishReason(state) : null,
    prompt_tokens: state.promptTokens,
    completion_tokens: state.tokens.length,
    cached_tokens: 0,
    ...(final ? { e2e_latency: (ctx.core.nowMs() - state.receivedMs) / 1000 } : {}),
  });
  const streamPlan: StreamPlan = {
    kind: 'stream',
    contentType: SSE_CONTENT_TYPE,
    tokensPerChunk: ctx.core.options.perf.tokensPerChunk,
    // `text` is cumulative (incremental_streaming_output off, the default); output_ids are this chunk's.
    chunk: (tokens, state, last) => sseData(JSON.stringify({ text: state.text, output_ids: tokens.map((t) => t.id), meta_info: metaInfo(state, last) })),
    epilogue: () => 'data: [DONE]\n\n',
    midStreamError: (message) => `${sseData(sglangErrorBody(message))}data: [DONE]\n\n`,
    malformed: (state) => `data: {"text":"${state.text}","output_ids":[\n\n`,
  };
  const unaryPlan: UnaryPlan = {
    kind: 'unary',
    respond: (state) => ({ contentType: JSON_CONTENT_TYPE, body: JSON.stringify({ text: state.text, output_ids: state.tokens.map((t) => t.id), meta_info: metaInfo(state, true) }) }),
  };
  await ctx.generate({
    model,
    stream,
    promptTokens,
    maxTokens: maxNewTokens,
    ...length,
    plan: stream ? streamPlan : unaryPlan,
    errorBody: (_status, message) => ({ contentType: JSON_CONTENT_TYPE, body: sglangErrorBody(message) }),
    overload: { status: 503, message: 'The server is overloaded.' },
  });
}

const HISTOGRAMS: ReadonlyArray<readonly [string, HistogramName, string]> = [
  ['sglang:time_to_first_token_seconds', 'ttft_s', 'Histogram of time to first token in seconds.'],
  ['sglang:e2e_request_latency_seconds', 'e2e_s', 'Histogram of End-to-end request latency in seconds'],
  ['sglang:inter_token_latency_seconds', 'itl_s', 'Histogram of inter-token latency in seconds.'],
];

/** SGLang's /metrics; gen_throughput is measured between scrapes, as the scheduler logs it per interval. */
function metricsRenderer(core: SimCore): () => string {
  let last = { ms: core.startedMs, tokens: 0 };
  return () => {
    const snapshot = core.driver.snapshot();
    const labels = { model_name: core.options.model };
    const nowMs = core.nowMs();
    const tokens = core.stats.generationTokensTotal;
    const throughput = nowMs > last.ms ? (tokens - last.tokens) / ((nowMs - last.ms) / 1000) : 0;
    last = { ms: nowMs, tokens };
    const text = new PrometheusText('python');
    text.single('sglang:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', labels, core.stats.promptTokensTotal);
    text.single('sglang:generation_tokens_total', 'counter', 'Number of generation tokens processed.', labels, tokens);
    text.single('sglang:num_running_reqs', 'gauge', 'The number of running requests.', labels, snapshot.running);
    text.single('sglang:num_queue_reqs', 'gauge', 'The number of requests in the waiting queue.', labels, snapshot.waiting);
    text.single('sglang:num_used_tokens', 'gauge', 'The number of used tokens.', labels, snapshot.kvUsedTokens);
    text.single('sglang:token_usage', 'gauge', 'The token usage.', labels, snapshot.kvUsedTokens / snapshot.kvCapacityTokens);
    text.single('sglang:cache_hit_rate', 'gauge', 'The prefix cache hit rate.', labels, 0);
    text.single('sglang:gen_throughput', 'gauge', 'The generation throughput (token/s).', labels, throughput);
    for (const [name, key, help] of HISTOGRAMS) {
      const histogram = core.stats.histogram(key);
      if (histogram) text.family(name, 'histogram', help).histogramSamples(name, labels, histogram);
    }
    return text.toString();
  };
}
