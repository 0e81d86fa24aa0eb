/**
 * Reads an OpenAI-style /v1/completions or /v1/chat/completions body into what the simulator needs. Every
 * engine's /v1 layer accepts this shape; the dialect turns a `problem` into its own error body.
 */
import { countMessageTokens, countPromptTokens } from '../tokens.js';

export type OpenAiApi = 'completions' | 'chat';

export interface OpenAiRequest {
  readonly api: OpenAiApi;
  readonly model: string | undefined;
  readonly stream: boolean;
  /** Whether the body had a stream_options object at all (vLLM rejects it without stream:true). */
  readonly hasStreamOptions: boolean;
  readonly includeUsage: boolean;
  readonly continuousUsageStats: boolean;
  readonly promptTokens: number;
  /** max_tokens / max_completion_tokens / n_predict; undefined when absent or null. */
  readonly maxTokens: number | undefined;
  readonly minTokens: number | undefined;
  readonly ignoreEos: boolean;
  /** vLLM `return_token_ids`. */
  readonly returnTokenIds: boolean;
  /** vLLM per-request `stream_interval` [recent]. */
  readonly streamInterval: number | undefined;
}

export interface RequestProblem {
  readonly message: string;
  /** The offending field, for error bodies that carry `param`. */
  readonly param: string | null;
}

export function parseOpenAiRequest(body: unknown, api: OpenAiApi): { ok: true; value: OpenAiRequest } | { ok: false; problem: RequestProblem } {
  const fail = (message: string, param: string | null) => ({ ok: false as const, problem: { message, param } });
  if (!isObject(body)) return fail('the request body must be a JSON object', null);

  let promptTokens: number | undefined;
  if (api === 'chat') {
    if (!Array.isArray(body.messages) || body.messages.length === 0) return fail('`messages` must be a non-empty array of messages', 'messages');
    promptTokens = countMessageTokens(body.messages);
    if (promptTokens === undefined) return fail('every message needs a text `content`', 'messages');
  } else {
    let prompt = body.prompt;
    // One prompt per request: a list of one string (or of one token-id list) is that prompt.
    if (Array.isArray(prompt) && prompt.length === 1 && (typeof prompt[0] === 'string' || Array.isArray(prompt[0]))) prompt = prompt[0];
    if (Array.isArray(prompt) && prompt.some((p) => typeof p !== 'number')) {
      return fail('the simulator serves one prompt per request (a string or a list of token ids)', 'prompt');
    }
    promptTokens = countPromptTokens(prompt);
    if (promptTokens === undefined) return fail('`prompt` must be a string or a list of token ids', 'prompt');
  }

  if (body.model !== undefined && body.model !== null && typeof body.model !== 'string') return fail('`model` must be a string', 'model');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return fail('`stream` must be a boolean', 'stream');
  const n = body.n ?? 1;
  if (n !== 1) return fail('the simulator supports n=1 only', 'n');

  const maxTokensField = body.max_completion_tokens ?? body.max_tokens ?? body.n_predict;
  let maxTokens: number | undefined;
  if (maxTokensField !== undefined && maxTokensField !== null) {
    if (!Number.isInteger(maxTokensField)) return fail('`max_tokens` must be an integer', 'max_tokens');
    maxTokens = maxTokensField as number;
  }
  const minTokensField = body.min_tokens;
  if (minTokensField !== undefined && minTokensField !== null && (!Number.isInteger(minTokensField) || (minTokensField as number) < 0)) {
    return fail('`min_tokens` must be an integer ≥ 0', 'min_tokens');
  }
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !isObject(streamOptions)) return fail('`stream_options` must be an object', 'stream_options');
  const options = isObject(streamOptions) ? streamOptions : {};
  const streamIntervalField = body.stream_interval;
  const streamInterval = Number.isInteger(streamIntervalField) && (streamIntervalField as number) >= 1 ? (streamIntervalField as number) : undefined;

  return {
    ok: true,
    value: {
      api,
      model: typeof body.model === 'string' ? body.model : undefined,
      stream: body.stream === true,
      hasStreamOptions: isObject(streamOptions),
      includeUsage: options.include_usage === true,
      continuousUsageStats: options.continuous_usage_stats === true,
      promptTokens,
      maxTokens,
      minTokens: typeof minTokensField === 'number' ? minTokensField : undefined,
      ignoreEos: body.ignore_eos === true,
      returnTokenIds: body.return_token_ids === true,
      streamInterval,
    },
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
