/**
 * Ollama (engine-apis.md §1). APIs:
 * - `native` (default): `POST /api/generate`, NDJSON, final `done:true` line with nanosecond durations: the
 *   only Ollama API that reports load, prefill and decode times;
 * - `chat`: `POST /api/chat`, the same framing and metrics with `message.content` (applies the chat template);
 * - `completions`: `POST /v1/completions`, OpenAI-compatible SSE; token counts only, no durations, so the
 *   prefill and decode metrics fall back to derived/client values.
 * Ollama cannot force N output tokens (no ignore_eos/min_tokens): `num_predict` is a cap, so the record's
 * finish_reason ("length" when the cap was reached) and output_tokens say whether a sample is full length.
 * Chunks carry no token counter; one token per non-empty chunk is assumed (`counted: false`) and the
 * final `eval_count` is the authoritative total.
 */
import type { ApiKind, EngineAdapter, GenerationRequest, NonStreamResult, ServerReport, StreamEvent } from '../../pipeline/core/engine.js';
import { classifyHttpError, responseObject } from './engine-error.js';
import { copyRaw, isObject, numberField, objectField, stringField } from './fields.js';
import { openAiRequest, openAiStreamParser, parseOpenAiResponse } from './openai-compat.js';
import { PreflightProbe } from './preflight-probe.js';
import { ndjsonStreamParser } from './record-stream.js';
import { definedOnly, postJson, resolveApi } from './request-spec.js';

const NS_PER_MS = 1e6;
const DURATION_FIELDS = ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const;
const RAW_FIELDS = [...DURATION_FIELDS, 'prompt_eval_count', 'eval_count', 'done_reason'] as const;

const SUPPORTED_APIS: readonly ApiKind[] = ['native', 'chat', 'completions'];
const apiOf = (request: GenerationRequest) => resolveApi(request.api, SUPPORTED_APIS, 'native');

export const ollama: EngineAdapter = {
  kind: 'ollama',
  defaultApi: 'native',
  supportedApis: SUPPORTED_APIS,
  healthPath: '/api/version',

  buildRequest(request) {
    const api = apiOf(request);
    if (api === 'completions') return openAiRequest(request, 'completions');
    const options = definedOnly({ num_predict: request.maxTokens, temperature: 0, seed: request.seed });
    // think:false: thinking-capable models otherwise think by default and stream into `thinking`.
    if (api === 'chat') {
      return postJson('/api/chat', { model: request.model, messages: [{ role: 'user', content: request.prompt }], stream: request.stream, think: false, options }, request);
    }
    // raw:true: no prompt template, so the prompt's token count is what was built.
    return postJson('/api/generate', { model: request.model, prompt: request.prompt, raw: true, stream: request.stream, think: false, options }, request);
  },

  createStreamParser(request) {
    if (apiOf(request) === 'completions') return openAiStreamParser();
    return ndjsonStreamParser({ decode: ollamaChunkEvents }, 'a "done": true line');
  },

  parseResponse(status, _headers, body, request): NonStreamResult {
    if (status >= 400) return { report: { raw: {} }, error: classifyHttpError(status, body) };
    if (apiOf(request) === 'completions') return parseOpenAiResponse(body);
    const response = responseObject(body);
    if (!response.ok) return response.failure;
    if (response.value.done !== true) return { report: { raw: {} }, error: { kind: 'protocol', message: 'response has no "done": true' } };
    return { report: ollamaFinalReport(response.value) };
  },

  classifyError: classifyHttpError,

  async preflight(http, model) {
    const probe = new PreflightProbe(http, 'ollama');
    const versionJson = await probe.json('/api/version');
    const version = stringField(versionJson, 'version');
    if (version === undefined) throw await probe.notThisEngine(await probe.get('/api/version'), 'no "version" field');
    const tags = await probe.json('/api/tags');
    if (!Array.isArray(tags.models)) throw await probe.notThisEngine(await probe.get('/api/tags'), 'no "models" list');
    const models = tags.models.map((m) => stringField(m, 'name') ?? stringField(m, 'model')).filter((n): n is string => n !== undefined);
    // "llama3.2" means "llama3.2:latest" to Ollama.
    probe.requireModel(model, models, (name) => name === model || name === `${model}:latest`, `pull it first: ollama pull ${model}`);
    const running = await probe.optionalJson('/api/ps');
    const loaded = Array.isArray(running?.models) ? running.models.map((m) => stringField(m, 'name')).filter(Boolean) : undefined;
    return { engine: 'ollama', models, version, details: loaded ? { loaded_models: loaded } : {} };
  },
};

/** One NDJSON object of /api/generate or /api/chat. */
function ollamaChunkEvents(chunk: unknown): StreamEvent[] {
  const events: StreamEvent[] = [];
  const message = objectField(chunk, 'message');
  // `thinking` (generate) / `message.thinking` (chat) are generated tokens too, should a model think anyway.
  const text =
    (stringField(chunk, 'response') ?? '') +
    (stringField(chunk, 'thinking') ?? '') +
    (stringField(message, 'content') ?? '') +
    (stringField(message, 'thinking') ?? '');
  if (text !== '') events.push({ type: 'content', tokens: 1, counted: false });
  if (isObject(chunk) && chunk.done === true) {
    events.push({ type: 'report', report: ollamaFinalReport(chunk) }, { type: 'end' });
  }
  return events;
}

/**
 * The `done: true` object: durations are int64 nanoseconds. All metric fields are `omitempty`, so on the
 * final object an absent duration or count means 0 (e.g. load_duration when nothing had to load).
 */
export function ollamaFinalReport(final: Record<string, unknown>): ServerReport {
  const ms = (field: (typeof DURATION_FIELDS)[number]) => (numberField(final, field) ?? 0) / NS_PER_MS;
  const evalCount = numberField(final, 'eval_count') ?? 0;
  const evalDurationNs = numberField(final, 'eval_duration') ?? 0;
  const report: ServerReport = {
    promptTokens: numberField(final, 'prompt_eval_count') ?? 0,
    outputTokens: evalCount,
    serverTotalDurationMs: ms('total_duration'),
    // Includes waiting in Ollama's scheduler queue, not only loading (engine-apis.md §1c).
    loadDurationMs: ms('load_duration'),
    promptEvalDurationMs: ms('prompt_eval_duration'),
    evalDurationMs: ms('eval_duration'),
    raw: copyRaw({}, final, undefined, RAW_FIELDS),
  };
  // Ollama's documented rate: eval_count / eval_duration (N, not N − 1).
  if (evalDurationNs > 0) report.evalTokenRateEngine = evalCount / (evalDurationNs / 1e9);
  const doneReason = stringField(final, 'done_reason');
  if (doneReason !== undefined) report.finishReason = doneReason;
  return report;
}
