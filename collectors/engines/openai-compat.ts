/**
 * The OpenAI-compatible `/v1/completions` and `/v1/chat/completions` dialect, shared by every adapter that
 * speaks it (vLLM, generic OpenAI, llama.cpp /v1, Ollama /v1, TGI Messages API, SGLang /v1). Engine quirks
 * handled here, each seen in engine-apis.md or on a real llama-server:
 * - the chat role chunk (`delta: {role, content: ""}` or `content: null`) carries no token;
 * - tokens per chunk come from a cumulative counter when the engine sends one on every chunk: vLLM's
 *   `continuous_usage_stats` (`usage.completion_tokens`) or llama.cpp's `timings_per_token`
 *   (`timings.predicted_n`); otherwise one token per chunk with text, marked `counted: false`;
 * - llama.cpp puts the final `usage` on the finishing chunk (not only on a `choices: []` chunk), which is a
 *   total, not that chunk's share, and `timings` on the last JSON before `[DONE]`;
 * - vLLM's per-request `metrics` object rides on the usage chunk.
 */
import type { GenerationRequest, HttpRequestSpec, NonStreamResult, ServerReport, StreamEvent, StreamParser } from '../../pipeline/core/engine.js';
import { classifyHttpError, responseObject } from './engine-error.js';
import { compactReport, copyRaw, isObject, mergeReports, numberField, objectField, stringField } from './fields.js';
import { llamaCppTimingsReport } from './llamacpp-timings.js';
import type { PreflightProbe } from './preflight-probe.js';
import { sseStreamParser, type RecordDecoder } from './record-stream.js';
import { definedOnly, postJson } from './request-spec.js';
import { vllmMetricsReport } from './vllm-metrics.js';

export type OpenAiApi = 'completions' | 'chat';

export interface OpenAiBodyOptions {
  /** Engine extras added to the body (vLLM `min_tokens`, llama.cpp `cache_prompt` …). */
  readonly extras?: Record<string, unknown>;
  /** Added to `stream_options` beside `include_usage` (vLLM `continuous_usage_stats`). */
  readonly streamOptions?: Record<string, unknown>;
}

export function openAiPath(api: OpenAiApi): string {
  return api === 'chat' ? '/v1/chat/completions' : '/v1/completions';
}

export function openAiRequest(request: GenerationRequest, api: OpenAiApi, options: OpenAiBodyOptions = {}): HttpRequestSpec {
  const body = definedOnly({
    model: request.model,
    ...(api === 'chat' ? { messages: [{ role: 'user', content: request.prompt }] } : { prompt: request.prompt }),
    max_tokens: request.maxTokens,
    temperature: 0,
    seed: request.seed,
    stream: request.stream,
    // stream_options without stream:true is a 400 on vLLM (validate_stream_options).
    ...(request.stream ? { stream_options: { include_usage: true, ...options.streamOptions } } : {}),
    ...options.extras,
  });
  return postJson(openAiPath(api), body, request);
}

export function openAiStreamParser(): StreamParser {
  return sseStreamParser(new OpenAiChunkDecoder(), 'data: [DONE]');
}

class OpenAiChunkDecoder implements RecordDecoder {
  /** Tokens accounted for so far: the last counter value, plus client counts of chunks without one. */
  #accounted = 0;
  /** A cumulative counter arrived on a chunk before the finishing one: counters are per-chunk here. */
  #counterSeen = false;
  #contentSeen = false;
  #lastTimings: unknown;

  decode(payload: unknown): StreamEvent[] {
    const events: StreamEvent[] = [];
    const choices = isObject(payload) && Array.isArray(payload.choices) ? payload.choices : [];
    const choice: unknown = choices.find((c) => (numberField(c, 'index') ?? 0) === 0);
    const usage = objectField(payload, 'usage');
    const timings = objectField(payload, 'timings');
    if (timings) this.#lastTimings = timings;
    let finishReason: string | undefined;
    if (choice !== undefined) {
      finishReason = stringField(choice, 'finish_reason');
      const counter = numberField(timings, 'predicted_n') ?? numberField(usage, 'completion_tokens');
      const text = choiceText(choice);
      if (isRoleOnly(choice, text)) {
        // Never a token, whatever counter rides on it: its tokens (if any) are counted on the next chunk.
        if (counter !== undefined && finishReason === undefined) this.#counterSeen = true;
      } else {
        const content = this.#content(text, counter, finishReason !== undefined);
        if (content) events.push(content);
      }
      if (finishReason !== undefined) events.push({ type: 'report', report: { finishReason, raw: { finish_reason: finishReason } } });
    }
    // A stream whose every token ended inside a UTF-8 sequence carries no text at all (llama.cpp drops such
    // chunks); its tokens first appear in the totals of the `choices: []` chunk, which is then its only content.
    if (choice === undefined && !this.#contentSeen) {
      const total = numberField(timings, 'predicted_n') ?? numberField(usage, 'completion_tokens');
      if (total !== undefined && total > 0) {
        const content = this.#content('', total, false);
        if (content) events.push(content);
      }
    }
    // The usage totals: the `choices: []` chunk, or llama.cpp's finishing chunk.
    if (usage && (choice === undefined || finishReason !== undefined)) events.push({ type: 'report', report: usageReport(usage) });
    const metrics = vllmMetricsReport(isObject(payload) ? payload.metrics : undefined);
    if (metrics) events.push({ type: 'report', report: metrics });
    return events;
  }

  done(): StreamEvent[] {
    const report = llamaCppTimingsReport(this.#lastTimings);
    return report ? [{ type: 'report', report }] : [];
  }

  #content(text: string, counter: number | undefined, finishing: boolean): StreamEvent | undefined {
    // On the finishing chunk of a stream that had no per-chunk counter, a counter is the final total
    // (llama.cpp's usage/timings), not this chunk's share, unless nothing arrived before it.
    const useCounter = counter !== undefined && (this.#counterSeen || !finishing || !this.#contentSeen);
    if (useCounter) {
      if (!finishing) this.#counterSeen = true;
      const tokens = Math.max(0, counter - this.#accounted);
      this.#accounted = Math.max(this.#accounted, counter);
      // Text with no new token (an incomplete UTF-8 sequence) is content with 0 tokens; neither is a role chunk.
      if (tokens === 0 && text === '') return undefined;
      this.#contentSeen = true;
      return { type: 'content', tokens, counted: true };
    }
    if (text === '') return undefined;
    this.#contentSeen = true;
    this.#accounted += 1;
    return { type: 'content', tokens: 1, counted: false };
  }
}

/** The chat role chunk: `delta: {role: "assistant", content: "" | null}` and no generated text. */
function isRoleOnly(choice: unknown, text: string): boolean {
  return text === '' && stringField(objectField(choice, 'delta'), 'role') !== undefined;
}

/** Generated text of a choice: completions `text`, chat `delta`/`message` content and reasoning fields. */
function choiceText(choice: unknown): string {
  const message = objectField(choice, 'delta') ?? objectField(choice, 'message');
  return (
    (stringField(choice, 'text') ?? '') +
    (stringField(message, 'content') ?? '') +
    // Thinking models stream reasoning tokens in their own field (llama.cpp/vLLM reasoning_content, vLLM and Ollama reasoning).
    (stringField(message, 'reasoning_content') ?? '') +
    (stringField(message, 'reasoning') ?? '')
  );
}

export function usageReport(usage: unknown): ServerReport {
  const promptTokens = numberField(usage, 'prompt_tokens');
  const details = objectField(usage, 'prompt_tokens_details');
  const cachedTokens = numberField(details, 'cached_tokens');
  const raw = copyRaw({}, usage, 'usage');
  copyRaw(raw, details, 'usage.prompt_tokens_details');
  return compactReport({
    promptTokens,
    outputTokens: numberField(usage, 'completion_tokens'),
    cachedTokens,
    promptTokensComputed: promptTokens !== undefined && cachedTokens !== undefined ? promptTokens - cachedTokens : undefined,
    raw,
  });
}

/** Non-streaming body: choices, usage, and vLLM `metrics` / llama.cpp `timings` when present. */
export function parseOpenAiResponse(body: string): NonStreamResult {
  const response = responseObject(body);
  if (!response.ok) return response.failure;
  const payload = response.value;
  let report: ServerReport = { raw: {} };
  const choice: unknown = Array.isArray(payload.choices) ? payload.choices[0] : undefined;
  const finishReason = stringField(choice, 'finish_reason');
  if (finishReason !== undefined) report = mergeReports(report, { finishReason, raw: { finish_reason: finishReason } });
  const usage = objectField(payload, 'usage');
  if (usage) report = mergeReports(report, usageReport(usage));
  for (const extra of [vllmMetricsReport(payload.metrics), llamaCppTimingsReport(payload.timings)]) {
    if (extra) report = mergeReports(report, extra);
  }
  return { report };
}

/** `GET /v1/models` → the ids it lists (`{"object":"list","data":[{"id":…}]}`), or ENGINE_PROTOCOL. */
export async function openAiModelList(probe: PreflightProbe): Promise<{ ids: string[]; entries: unknown[] }> {
  const json = await probe.json('/v1/models');
  if (!Array.isArray(json.data)) throw await probe.notThisEngine(await probe.get('/v1/models'), 'no "data" list of models');
  const ids = json.data.map((m) => stringField(m, 'id')).filter((id): id is string => id !== undefined);
  return { ids, entries: json.data };
}

/**
 * Reading side of an engine that speaks only the OpenAI API (vLLM, generic OpenAI): stream parser, non-stream
 * parser and error classification, shared so each adapter states only how it asks and how it preflights.
 */
export const openAiOnlyResponses = {
  createStreamParser: (): StreamParser => openAiStreamParser(),
  parseResponse(status: number, _headers: Readonly<Record<string, string>>, body: string): NonStreamResult {
    if (status >= 400) return { report: { raw: {} }, error: classifyHttpError(status, body) };
    return parseOpenAiResponse(body);
  },
  classifyError: classifyHttpError,
};
