/**
 * llama.cpp's `llama-server` (engine-apis.md §4). APIs:
 * - `native` (default): `POST /completion`, SSE without `[DONE]`: the last event has `"stop": true` and
 *   the server's `timings` (prefill and decode in float ms, both rates);
 * - `completions` / `chat`: llama.cpp's OpenAI-compatible `/v1/*`, which accepts the native extras too;
 *   `timings` ride on the last JSON before `[DONE]`.
 * Exactly N tokens: `n_predict = N` (`max_tokens` on /v1) with `ignore_eos`. `cache_prompt: false` keeps the
 * KV cache from shortening prefill. Tokens per chunk come from the cumulative `tokens_predicted` (native)
 * or, on /v1, from `timings.predicted_n` with `timings_per_token`: the real server merges tokens that end
 * inside a UTF-8 sequence into one chunk, so a chunk can carry 2+ tokens (its `tokens` array is no count:
 * a real server sent `"tokens":[64]` with `tokens_predicted` going 0 → 2).
 */
import { llamacppTokenizer } from './tokenizers.js';
import type { ApiKind, EngineAdapter, GenerationRequest, HttpRequestSpec, NonStreamResult, ServerReport, StreamEvent } from '../../pipeline/core/engine.js';
import { classifyHttpError, responseObject } from './engine-error.js';
import { compactReport, copyRaw, isObject, mergeReports, numberField, objectField, stringField } from './fields.js';
import { llamaCppTimingsReport } from './llamacpp-timings.js';
import { openAiModelList, openAiRequest, openAiStreamParser, parseOpenAiResponse, type OpenAiApi } from './openai-compat.js';
import { PreflightProbe } from './preflight-probe.js';
import { sseStreamParser, type RecordDecoder } from './record-stream.js';
import { definedOnly, postJson, resolveApi } from './request-spec.js';

const SUPPORTED_APIS: readonly ApiKind[] = ['native', 'completions', 'chat'];
const apiOf = (request: GenerationRequest) => resolveApi(request.api, SUPPORTED_APIS, 'native');
const FINAL_RAW_FIELDS = ['tokens_predicted', 'tokens_evaluated', 'tokens_cached', 'truncated', 'stop_type', 'stopping_word'] as const;

export const llamacpp: EngineAdapter = {
  kind: 'llamacpp',
  defaultApi: 'native',
  supportedApis: SUPPORTED_APIS,
  healthPath: '/health',
  // Only served when the server runs with --metrics.
  metricsPath: '/metrics',
  tokenize: llamacppTokenizer,

  buildRequest(request) {
    const spec = buildSpec(request);
    // llama-server (cpp-httplib) closes the connection after every streamed response while its headers say
    // keep-alive: reusing the socket fails the next request with "other side closed" (every other request
    // at concurrency 1 on b11669). Non-streaming answers keep the connection open.
    return request.stream ? { ...spec, closeConnection: true } : spec;
  },

  createStreamParser(request) {
    if (apiOf(request) !== 'native') return openAiStreamParser();
    return sseStreamParser(new LlamaCppEventDecoder(), 'an event with "stop": true');
  },

  parseResponse(status, _headers, body, request): NonStreamResult {
    if (status >= 400) return { report: { raw: {} }, error: classifyHttpError(status, body) };
    if (apiOf(request) !== 'native') return parseOpenAiResponse(body);
    const response = responseObject(body);
    return response.ok ? { report: llamaCppFinalReport(response.value) } : response.failure;
  },

  classifyError: classifyHttpError,

  async preflight(http, model) {
    const probe = new PreflightProbe(http, 'llamacpp');
    // 200 {"status":"ok"}, or 503 {"error":{"message":"Loading model",…}} while loading.
    await probe.ok('/health');
    const list = await openAiModelList(probe);
    const names = new Set(list.ids);
    for (const entry of list.entries) {
      const aliases = isObject(entry) && Array.isArray(entry.aliases) ? entry.aliases : [];
      for (const alias of aliases) if (typeof alias === 'string') names.add(alias);
    }
    probe.requireModel(model, [...names], (name) => name === model);
    // /props is llama-server's own; requiring it tells llama.cpp from other OpenAI-compatible servers.
    const props = await probe.json('/props');
    const settings = objectField(props, 'default_generation_settings');
    const details: Record<string, unknown> = {};
    for (const [key, value] of [
      ['total_slots', numberField(props, 'total_slots')],
      ['model_path', stringField(props, 'model_path')],
      ['n_ctx', numberField(settings, 'n_ctx')],
    ] as const) {
      if (value !== undefined) details[key] = value;
    }
    const version = stringField(props, 'build_info');
    return { engine: 'llamacpp', models: list.ids, ...(version !== undefined ? { version } : {}), details };
  },
};

function buildSpec(request: GenerationRequest): HttpRequestSpec {
  const api = apiOf(request);
  if (api !== 'native') {
    return openAiRequest(request, api as OpenAiApi, {
      extras: { ignore_eos: true, cache_prompt: false, ...(request.stream ? { timings_per_token: true } : {}) },
    });
  }
  const body = definedOnly({
    // Ignored by a single-model server, required by router mode.
    model: request.model,
    prompt: request.prompt,
    n_predict: request.maxTokens,
    ignore_eos: true,
    cache_prompt: false,
    temperature: 0,
    seed: request.seed,
    stream: request.stream,
    return_tokens: true,
  });
  return postJson('/completion', body, request);
}

/** /completion events: partials with cumulative `tokens_predicted`, then the `stop: true` final event. */
class LlamaCppEventDecoder implements RecordDecoder {
  #accounted = 0;

  decode(event: unknown): StreamEvent[] {
    const events: StreamEvent[] = [];
    const content = stringField(event, 'content') ?? '';
    const predicted = numberField(event, 'tokens_predicted');
    if (predicted !== undefined) {
      const tokens = Math.max(0, predicted - this.#accounted);
      this.#accounted = Math.max(this.#accounted, predicted);
      if (tokens > 0 || content !== '') events.push({ type: 'content', tokens, counted: true });
    } else if (content !== '') {
      // Old builds without tokens_predicted in partials: one token per chunk is all the client can say.
      this.#accounted += 1;
      events.push({ type: 'content', tokens: 1, counted: false });
    }
    if (isObject(event) && event.stop === true) events.push({ type: 'report', report: llamaCppFinalReport(event) }, { type: 'end' });
    return events;
  }
}

/** The final event (stream) or the whole response (non-stream): counts, stop type and `timings`. */
export function llamaCppFinalReport(final: Record<string, unknown>): ServerReport {
  const timings = objectField(final, 'timings');
  const stopType = stringField(final, 'stop_type');
  const counts = compactReport({
    promptTokens: numberField(final, 'tokens_evaluated'),
    outputTokens: numberField(final, 'tokens_predicted') ?? numberField(timings, 'predicted_n'),
    finishReason: stopType !== undefined ? normalizeStopType(stopType) : undefined,
    raw: copyRaw({}, final, undefined, FINAL_RAW_FIELDS),
  });
  return mergeReports(llamaCppTimingsReport(timings) ?? { raw: {} }, counts);
}

/** llama.cpp's stop_type (limit, eos, word, none) in the OpenAI words records use; the raw value stays. */
function normalizeStopType(stopType: string): string {
  if (stopType === 'limit') return 'length';
  if (stopType === 'eos' || stopType === 'word') return 'stop';
  return stopType;
}
