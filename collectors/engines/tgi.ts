/**
 * Hugging Face TGI (engine-apis.md §3). APIs:
 * - `native` (default): `POST /generate_stream` (SSE, one event per token with a running `index`, no
 *   `[DONE]`: the event with a non-null `generated_text` is the last and carries `details`), or
 *   `POST /generate` without streaming, whose `x-*` response headers are TGI's only per-request timings;
 * - `chat` / `completions`: the Messages API `/v1/chat/completions` and `/v1/completions`.
 * TGI cannot force N tokens (ignore_eos is hard-wired off, no min_new_tokens): `max_new_tokens` is a cap,
 * so finish_reason and `details.generated_tokens` tell whether a sample is full length. `details: true`
 * must be explicit (serde default false). Generations over 1024 tokens are re-queued every 1024 tokens by
 * the router, which shows as queue gaps in ITL.
 */
import { tgiTokenizer } from './tokenizers.js';
import type { ApiKind, EngineAdapter, GenerationRequest, NonStreamResult, ServerReport, StreamEvent } from '../../pipeline/core/engine.js';
import { classifyHttpError, responseObject } from './engine-error.js';
import { compactReport, copyRaw, mergeReports, numberField, objectField, stringField } from './fields.js';
import { openAiRequest, openAiStreamParser, parseOpenAiResponse, type OpenAiApi } from './openai-compat.js';
import { PreflightProbe } from './preflight-probe.js';
import { sseStreamParser, type RecordDecoder } from './record-stream.js';
import { definedOnly, postJson, resolveApi } from './request-spec.js';

const SUPPORTED_APIS: readonly ApiKind[] = ['native', 'chat', 'completions'];
const apiOf = (request: GenerationRequest) => resolveApi(request.api, SUPPORTED_APIS, 'native');

/** Response headers of non-streaming requests (router `generate_internal`): integer ms, except x-compute-time (float s). */
const TIMING_HEADERS = [
  'x-compute-time',
  'x-total-time',
  'x-validation-time',
  'x-queue-time',
  'x-inference-time',
  'x-time-per-token',
  'x-prompt-tokens',
  'x-generated-tokens',
  'x-compute-characters',
] as const;

export const tgi: EngineAdapter = {
  kind: 'tgi',
  defaultApi: 'native',
  supportedApis: SUPPORTED_APIS,
  healthPath: '/health',
  metricsPath: '/metrics',
  tokenize: tgiTokenizer,

  buildRequest(request) {
    const api = apiOf(request);
    if (api !== 'native') return openAiRequest(request, api as OpenAiApi);
    const parameters = definedOnly({
      max_new_tokens: request.maxTokens,
      do_sample: false,
      details: true,
      return_full_text: false,
      seed: request.seed,
    });
    return postJson(request.stream ? '/generate_stream' : '/generate', { inputs: request.prompt, parameters }, request);
  },

  createStreamParser(request) {
    if (apiOf(request) !== 'native') return openAiStreamParser();
    return sseStreamParser(new TgiEventDecoder(), 'an event with "generated_text"');
  },

  parseResponse(status, headers, body, request): NonStreamResult {
    if (status >= 400) return { report: { raw: {} }, error: classifyHttpError(status, body) };
    const fromHeaders = tgiHeaderReport(headers);
    if (apiOf(request) !== 'native') {
      const result = parseOpenAiResponse(body);
      return result.error ? result : { report: mergeReports(fromHeaders, result.report) };
    }
    const response = responseObject(body);
    if (!response.ok) return response.failure;
    const details = objectField(response.value, 'details');
    const report = mergeReports(fromHeaders, detailsReport(details));
    const tokens = details && Array.isArray(details.tokens) ? details.tokens.length : undefined;
    return tokens !== undefined ? { report, outputTokens: tokens } : { report };
  },

  classifyError: classifyHttpError,

  async preflight(http, model) {
    const probe = new PreflightProbe(http, 'tgi');
    await probe.ok('/health');
    const info = await probe.json('/info');
    const modelId = stringField(info, 'model_id');
    if (modelId === undefined) throw await probe.notThisEngine(await probe.get('/info'), 'no "model_id"');
    // TGI serves one model and ignores the name in requests; "tgi" is the name its own docs use for it.
    probe.requireModel(model, [modelId], (id) => id === model || model === 'tgi');
    const version = stringField(info, 'version');
    return { engine: 'tgi', models: [modelId], ...(version !== undefined ? { version } : {}), details: info };
  },
};

/** /generate_stream events: `index` counts tokens (one per event), so a repeated index adds none. */
class TgiEventDecoder implements RecordDecoder {
  #lastIndex = 0;

  decode(event: unknown): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (objectField(event, 'token')) {
      const index = numberField(event, 'index');
      const tokens = index !== undefined ? Math.max(0, index - this.#lastIndex) : 1;
      this.#lastIndex = index !== undefined ? Math.max(this.#lastIndex, index) : this.#lastIndex + 1;
      // Special tokens (EOS) have empty text but are generated tokens, counted in generated_tokens.
      if (tokens > 0) events.push({ type: 'content', tokens, counted: true });
    }
    if (typeof stringField(event, 'generated_text') === 'string') {
      events.push({ type: 'report', report: detailsReport(objectField(event, 'details')) }, { type: 'end' });
    }
    return events;
  }
}

/** `details` of the last stream event or of /generate: counts only, no timings. */
function detailsReport(details: Record<string, unknown> | undefined): ServerReport {
  const finish = stringField(details, 'finish_reason');
  return compactReport({
    promptTokens: numberField(details, 'input_length'),
    outputTokens: numberField(details, 'generated_tokens'),
    finishReason: finish !== undefined ? normalizeFinish(finish) : undefined,
    raw: copyRaw({}, details, 'details', ['finish_reason', 'generated_tokens', 'input_length', 'seed']),
  });
}

/** TGI says eos_token / stop_sequence / length; records use the OpenAI words (the raw value stays in `server`). */
function normalizeFinish(reason: string): string {
  return reason === 'eos_token' || reason === 'stop_sequence' ? 'stop' : reason;
}

/**
 * Non-streaming timing headers. x-total-time is whole milliseconds (truncated); x-compute-time is the same
 * span in float seconds, so it is the precise source. x-inference-time is prefill + decode together and
 * cannot stand for either, so it stays raw.
 */
export function tgiHeaderReport(headers: Readonly<Record<string, string>>): ServerReport {
  const raw: ServerReport['raw'] = {};
  const value = (name: string): number | undefined => {
    const text = headers[name];
    if (text === undefined || text.trim() === '') return undefined;
    const parsed = Number(text);
    return Number.isFinite(parsed) ? parsed : undefined;
  };
  for (const name of TIMING_HEADERS) {
    const parsed = value(name);
    if (parsed !== undefined) raw[name] = parsed;
  }
  const computeSeconds = value('x-compute-time');
  return compactReport({
    serverTotalDurationMs: computeSeconds !== undefined ? computeSeconds * 1000 : value('x-total-time'),
    queueMs: value('x-queue-time'),
    promptTokens: value('x-prompt-tokens'),
    outputTokens: value('x-generated-tokens'),
    raw,
  });
}
