/**
 * SGLang (engine-apis.md §5). APIs:
 * - `native` (default): `POST /generate` with `sampling_params`; SSE ending in `data: [DONE]`; each chunk's
 *   `meta_info.completion_tokens` is cumulative, so tokens per chunk are counted even when
 *   `stream_interval` batches several into one chunk; `meta_info.e2e_latency` (float seconds) on the last;
 * - `completions` / `chat`: the OpenAI-compatible `/v1/*`, with vLLM's extras (min_tokens, ignore_eos,
 *   continuous_usage_stats).
 * Exactly N tokens: `max_new_tokens = min_new_tokens = N` with `ignore_eos`. SGLang has no per-request
 * cache switch (the radix cache is a server flag), so prefill is only clean with nonce prompts; `cached_tokens`
 * says how much was reused. `rid` = the request id, so the server's logs name the request.
 */
import type { ApiKind, EngineAdapter, GenerationRequest, NonStreamResult, ServerReport, StreamEvent } from '../../pipeline/core/engine.js';
import { classifyHttpError, responseObject } from './engine-error.js';
import { compactReport, copyRaw, numberField, objectField, stringField } from './fields.js';
import { openAiModelList, openAiRequest, openAiStreamParser, parseOpenAiResponse, type OpenAiApi } from './openai-compat.js';
import { PreflightProbe } from './preflight-probe.js';
import { sseStreamParser, type RecordDecoder } from './record-stream.js';
import { postJson, resolveApi } from './request-spec.js';

const SUPPORTED_APIS: readonly ApiKind[] = ['native', 'completions', 'chat'];
const apiOf = (request: GenerationRequest) => resolveApi(request.api, SUPPORTED_APIS, 'native');

export const sglang: EngineAdapter = {
  kind: 'sglang',
  defaultApi: 'native',
  supportedApis: SUPPORTED_APIS,
  healthPath: '/health',
  metricsPath: '/metrics',

  buildRequest(request) {
    const api = apiOf(request);
    if (api !== 'native') {
      return openAiRequest(request, api as OpenAiApi, {
        extras: { min_tokens: request.maxTokens, ignore_eos: true },
        streamOptions: { continuous_usage_stats: true },
      });
    }
    const samplingParams = { max_new_tokens: request.maxTokens, min_new_tokens: request.maxTokens, ignore_eos: true, temperature: 0 };
    return postJson('/generate', { text: request.prompt, sampling_params: samplingParams, stream: request.stream, rid: request.requestId }, request);
  },

  createStreamParser(request) {
    if (apiOf(request) !== 'native') return openAiStreamParser();
    return sseStreamParser(new SglangChunkDecoder(), 'data: [DONE]');
  },

  parseResponse(status, _headers, body, request): NonStreamResult {
    if (status >= 400) return { report: { raw: {} }, error: classifyHttpError(status, body) };
    if (apiOf(request) !== 'native') return parseOpenAiResponse(body);
    const response = responseObject(body);
    return response.ok ? { report: metaInfoReport(objectField(response.value, 'meta_info')) } : response.failure;
  },

  classifyError: classifyHttpError,

  async preflight(http, model) {
    const probe = new PreflightProbe(http, 'sglang');
    await probe.ok('/health');
    const list = await openAiModelList(probe);
    // SGLang's own model endpoint (renamed /model_info in newer builds) tells it from other OpenAI servers.
    const info = (await probe.optionalJson('/get_model_info')) ?? (await probe.optionalJson('/model_info'));
    if (!info) throw await probe.notThisEngine(await probe.get('/get_model_info'), 'no SGLang model info');
    const modelPath = stringField(info, 'model_path');
    const names = modelPath !== undefined && !list.ids.includes(modelPath) ? [...list.ids, modelPath] : list.ids;
    probe.requireModel(model, names, (name) => name === model);
    // Newer builds renamed get_server_info to server_info.
    const server = (await probe.optionalJson('/get_server_info')) ?? (await probe.optionalJson('/server_info'));
    const version = stringField(server, 'version');
    return { engine: 'sglang', models: list.ids, ...(version !== undefined ? { version } : {}), details: info };
  },
};

class SglangChunkDecoder implements RecordDecoder {
  #accounted = 0;
  #lastText = '';

  decode(chunk: unknown): StreamEvent[] {
    const events: StreamEvent[] = [];
    const meta = objectField(chunk, 'meta_info');
    // `text` is cumulative by default and incremental with --incremental-streaming-output; either way a
    // chunk brought text when it differs from the previous one.
    const text = stringField(chunk, 'text') ?? '';
    const broughtText = text !== '' && text !== this.#lastText;
    this.#lastText = text;
    const counter = numberField(meta, 'completion_tokens');
    if (counter !== undefined) {
      const tokens = Math.max(0, counter - this.#accounted);
      this.#accounted = Math.max(this.#accounted, counter);
      if (tokens > 0 || broughtText) events.push({ type: 'content', tokens, counted: true });
    } else if (broughtText) {
      this.#accounted += 1;
      events.push({ type: 'content', tokens: 1, counted: false });
    }
    if (meta && meta.finish_reason !== undefined && meta.finish_reason !== null) events.push({ type: 'report', report: metaInfoReport(meta) });
    return events;
  }
}

/** `meta_info` of the last chunk: counts, cache hits, finish reason, e2e_latency in seconds. */
function metaInfoReport(meta: Record<string, unknown> | undefined): ServerReport {
  const promptTokens = numberField(meta, 'prompt_tokens');
  const cachedTokens = numberField(meta, 'cached_tokens');
  const e2eSeconds = numberField(meta, 'e2e_latency');
  const finish = meta?.finish_reason;
  // {"type":"length","length":N} or {"type":"stop","matched":…}; some versions send a plain string.
  const finishReason = typeof finish === 'string' ? finish : stringField(finish, 'type');
  const raw = copyRaw({}, meta, 'meta_info');
  if (finishReason !== undefined) raw['meta_info.finish_reason'] = finishReason;
  return compactReport({
    promptTokens,
    outputTokens: numberField(meta, 'completion_tokens'),
    cachedTokens,
    promptTokensComputed: promptTokens !== undefined && cachedTokens !== undefined ? promptTokens - cachedTokens : undefined,
    finishReason,
    serverTotalDurationMs: e2eSeconds !== undefined ? e2eSeconds * 1000 : undefined,
    raw,
  });
}
