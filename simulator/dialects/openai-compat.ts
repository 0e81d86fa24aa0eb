/**
 * The vLLM-style OpenAI server (engine-apis.md §2), shared by three engines that speak it: `vllm` itself,
 * `openai` (a generic OpenAI-compatible server: OpenAI's error bodies and choice fields, no vLLM extras) and
 * SGLang's /v1 layer (§5: "follow the vLLM conventions", older flat error body).
 *
 * Framing: SSE `data: <json>\n\n`, `data: [DONE]` last; chat starts with a role chunk
 * `{"role":"assistant","content":""}` written together with the first token; the last content chunk carries
 * `finish_reason`; usage comes in a final `"choices":[]` chunk with include_usage, and cumulatively on every
 * chunk with include_usage + continuous_usage_stats.
 */
import type { GenerationSpec, GenerationState, RequestContext, Route, SimCore, StreamPlan, UnaryPlan } from '../dialect.js';
import { JSON_CONTENT_TYPE, SSE_CONTENT_TYPE, sseData } from '../dialect.js';
import { decideLength } from '../output-length.js';
import { randomHex } from '../random.js';
import { promptTokenIds, type SimToken } from '../tokens.js';
import { parseOpenAiRequest, type OpenAiApi, type OpenAiRequest } from './openai-request.js';

export type OpenAiFlavour = 'vllm' | 'openai' | 'sglang';

const STATUS_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  422: 'UnprocessableEntityError',
  429: 'TooManyRequestsError',
  500: 'InternalServerError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
  504: 'GatewayTimeoutError',
};

/** The error body each flavour sends (engine-apis.md §2e; OpenAI's own shape for `openai`). */
export function openAiErrorBody(flavour: OpenAiFlavour, status: number, message: string, param: string | null = null): string {
  if (flavour === 'openai') {
    const type = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
    const code = status === 404 ? 'model_not_found' : status === 429 ? 'rate_limit_exceeded' : null;
    return JSON.stringify({ error: { message, type, param, code } });
  }
  const type = STATUS_TYPES[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequestError');
  // SGLang kept vLLM's ≤0.9 flat shape; vLLM ≥0.10 nests it under "error" (code = HTTP status).
  if (flavour === 'sglang') return JSON.stringify({ object: 'error', message, type, param, code: status });
  return JSON.stringify({ error: { message, type, param, code: status } });
}

export function openAiRoutes(flavour: OpenAiFlavour): Route[] {
  return [
    { method: 'POST', path: '/v1/completions', generation: true, handle: (ctx) => handleGeneration(ctx, flavour, 'completions') },
    { method: 'POST', path: '/v1/chat/completions', generation: true, handle: (ctx) => handleGeneration(ctx, flavour, 'chat') },
    { method: 'GET', path: '/v1/models', handle: (ctx) => ctx.sendJson(200, modelList(ctx.core, flavour)) },
  ];
}

function modelList(core: SimCore, flavour: OpenAiFlavour): unknown {
  const model = core.options.model;
  const created = Math.floor(core.startedMs / 1000);
  if (flavour === 'openai') return { object: 'list', data: [{ id: model, object: 'model', created, owned_by: 'system' }] };
  if (flavour === 'sglang') return { object: 'list', data: [{ id: model, object: 'model', created, owned_by: 'sglang', root: model, max_model_len: core.options.perf.maxModelLen }] };
  return {
    object: 'list',
    data: [
      {
        id: model,
        object: 'model',
        created,
        owned_by: 'vllm',
        root: model,
        parent: null,
        max_model_len: core.options.perf.maxModelLen,
        permission: [
          {
            id: `modelperm-${randomHex(32)}`,
            object: 'model_permission',
            created,
            allow_create_engine: false,
            allow_sampling: true,
            allow_logprobs: true,
            allow_search_indices: false,
            allow_view: true,
            allow_fine_tuning: false,
            organization: '*',
            group: null,
            is_blocking: false,
          },
        ],
      },
    ],
  };
}

async function handleGeneration(ctx: RequestContext, flavour: OpenAiFlavour, api: OpenAiApi): Promise<void> {
  const fail = (status: number, message: string, param: string | null = null) =>
    ctx.send(status, JSON_CONTENT_TYPE, openAiErrorBody(flavour, status, message, param));
  const parsed = ctx.json();
  if (!parsed.ok) return fail(400, `JSON decode error: ${parsed.error}`);
  const result = parseOpenAiRequest(parsed.value, api);
  if (!result.ok) return fail(400, result.problem.message, result.problem.param);
  const request = result.value;
  const { options } = ctx.core;
  ctx.note({ ...(request.model !== undefined ? { model: request.model } : {}), stream: request.stream, promptTokens: request.promptTokens });

  if (request.model !== undefined && request.model !== options.model) {
    const message = flavour === 'openai' ? `The model \`${request.model}\` does not exist or you do not have access to it.` : `The model \`${request.model}\` does not exist.`;
    return fail(404, message, 'model');
  }
  if (request.hasStreamOptions && !request.stream) return fail(400, 'Stream options can only be defined when `stream=True`.', 'stream_options');
  const maxModelLen = options.perf.maxModelLen;
  if (request.promptTokens >= maxModelLen) {
    return fail(400, `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${request.promptTokens} input tokens. Please reduce the length of the input messages.`, 'prompt');
  }
  // vLLM defaults: completions 16 tokens; chat whatever fits the context.
  const maxTokens = request.maxTokens ?? (api === 'completions' ? 16 : maxModelLen - request.promptTokens);
  if (maxTokens < 1) return fail(400, `max_tokens must be at least 1, got ${maxTokens}.`, 'max_tokens');
  if (request.promptTokens + maxTokens > maxModelLen) {
    return fail(
      400,
      `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${request.promptTokens} input tokens (${maxTokens} > ${maxModelLen} - ${request.promptTokens}).`,
      'max_tokens',
    );
  }
  if (request.minTokens !== undefined && request.minTokens > maxTokens) {
    return fail(400, `min_tokens must be less than or equal to max_tokens=${maxTokens}, got ${request.minTokens}.`, 'min_tokens');
  }
  const length = decideLength({ maxTokens, ...(request.minTokens !== undefined ? { minTokens: request.minTokens } : {}), ignoreEos: request.ignoreEos }, options.perf.naturalLengthTokens);
  // vLLM uses the caller's X-Request-Id in the completion id.
  const id = `${api === 'chat' ? 'chatcmpl' : 'cmpl'}-${ctx.req.headers['x-request-id'] ? ctx.requestId : randomHex(32)}`;
  const writer = new ChunkWriter(flavour, request, id, options.model, ctx.core.options.perRequestMetrics && flavour === 'vllm');
  const spec: GenerationSpec = {
    model: request.model ?? options.model,
    stream: request.stream,
    promptTokens: request.promptTokens,
    maxTokens,
    ...length,
    plan: request.stream ? writer.streamPlan(request.streamInterval ?? options.perf.tokensPerChunk) : writer.unaryPlan(),
    errorBody: (status, message) => ({ contentType: JSON_CONTENT_TYPE, body: openAiErrorBody(flavour, status, message) }),
    overload: { status: 503, message: 'The server is overloaded: too many requests in flight.' },
  };
  await ctx.generate(spec);
}

/**
 * Builds this flavour's chunks for one request, keeping vLLM's key order. Streamed chunks are written as
 * strings around the request's constant head (id, object, created, model) rather than JSON.stringify'd
 * objects: they are the per-token hot path, and only the token text needs escaping. test/simulator
 * (openai-chunks.test.ts) checks them byte for byte against the object serialization.
 */
export class ChunkWriter {
  readonly #flavour: OpenAiFlavour;
  readonly #request: OpenAiRequest;
  readonly #id: string;
  readonly #model: string;
  readonly #perRequestMetrics: boolean;
  readonly #continuousUsage: boolean;
  /** `{"id":…,"object":…,"created":…,"model":…,` for the chunk object, cached per `created`. */
  #chunkHead = '';
  #chunkHeadCreatedS = Number.NaN;

  constructor(flavour: OpenAiFlavour, request: OpenAiRequest, id: string, model: string, perRequestMetrics: boolean) {
    this.#flavour = flavour;
    this.#request = request;
    this.#id = id;
    this.#model = model;
    this.#perRequestMetrics = perRequestMetrics;
    // Cumulative usage on every chunk needs both flags (vLLM serving_*.py: include_usage and continuous_usage_stats).
    this.#continuousUsage = request.includeUsage && request.continuousUsageStats && flavour !== 'openai';
  }

  streamPlan(tokensPerChunk: number): StreamPlan {
    const chat = this.#request.api === 'chat';
    return {
      kind: 'stream',
      // Starlette adds the charset to text/* media types.
      contentType: `${SSE_CONTENT_TYPE}; charset=utf-8`,
      tokensPerChunk,
      ...(chat ? { preamble: (state: GenerationState) => sseData(this.#chatChunk(ROLE_DELTA_JSON, null, state, 0)) } : {}),
      chunk: (tokens, state, last) => {
        const text = JSON.stringify(joinText(tokens));
        const finish = last ? state.finishReason : null;
        return sseData(chat ? this.#chatChunk(`{"content":${text}}`, finish, state, state.tokens.length, tokens) : this.#completionChunk(text, finish, state, tokens));
      },
      epilogue: (state) => {
        let out = '';
        if (this.#request.includeUsage) {
          const usageChunk: Record<string, unknown> = { ...this.#head(state), choices: [], usage: usage(state.promptTokens, state.tokens.length) };
          if (this.#perRequestMetrics) usageChunk.metrics = perRequestMetrics(state);
          out += sseData(JSON.stringify(usageChunk));
        }
        return `${out}data: [DONE]\n\n`;
      },
      // vLLM create_streaming_error_response: an error event, then [DONE]; the status stays 200.
      midStreamError: (message) => `${sseData(openAiErrorBody(this.#flavour, 500, message))}data: [DONE]\n\n`,
      malformed: (state) => `data: {"id":"${this.#id}","object":"${chat ? 'chat.completion.chunk' : 'text_completion'}","created":${state.createdS},"choices":[{"index":0,\n\n`,
    };
  }

  unaryPlan(): UnaryPlan {
    return {
      kind: 'unary',
      respond: (state) => {
        const usageBody: Record<string, unknown> = usage(state.promptTokens, state.tokens.length);
        if (this.#flavour === 'vllm') usageBody.prompt_tokens_details = null;
        const choice =
          this.#request.api === 'chat'
            ? { index: 0, message: { role: 'assistant', content: state.text, tool_calls: [] }, logprobs: null, finish_reason: state.finishReason, ...this.#stopReason() }
            : { index: 0, text: state.text, logprobs: null, finish_reason: state.finishReason, ...this.#stopReason(), ...(this.#flavour === 'vllm' ? { prompt_logprobs: null } : {}) };
        const body: Record<string, unknown> = {
          id: this.#id,
          object: this.#request.api === 'chat' ? 'chat.completion' : 'text_completion',
          created: state.createdS,
          model: this.#model,
          choices: [choice],
          usage: usageBody,
        };
        if (this.#perRequestMetrics) body.metrics = perRequestMetrics(state);
        return { contentType: JSON_CONTENT_TYPE, body: JSON.stringify(body) };
      },
    };
  }

  #head(state: GenerationState): Record<string, unknown> {
    return {
      id: this.#id,
      object: this.#request.api === 'chat' ? 'chat.completion.chunk' : 'text_completion',
      created: state.createdS,
      model: this.#model,
    };
  }

  /** The JSON of #head(state) without its closing brace, followed by a comma: every chunk starts with it. */
  #chunkHeadJson(state: GenerationState): string {
    if (this.#chunkHeadCreatedS !== state.createdS) {
      this.#chunkHead = `${JSON.stringify(this.#head(state)).slice(0, -1)},`;
      this.#chunkHeadCreatedS = state.createdS;
    }
    return this.#chunkHead;
  }

  #stopReason(): Record<string, unknown> {
    return this.#flavour === 'openai' ? {} : { stop_reason: null };
  }

  /** `textJson` is the chunk's text, already JSON-encoded. */
  #completionChunk(textJson: string, finish: string | null, state: GenerationState, tokens: readonly SimToken[]): string {
    let json = `${this.#chunkHeadJson(state)}"choices":[{"index":0,"text":${textJson},"logprobs":null,"finish_reason":${finishJson(finish)}`;
    if (this.#flavour !== 'openai') json += ',"stop_reason":null';
    if (this.#flavour === 'vllm') {
      // Recent vLLM: prompt_token_ids on the first chunk and token_ids per chunk when return_token_ids, else null.
      const ids = this.#request.returnTokenIds;
      const first = state.tokens.length === tokens.length;
      json += `,"prompt_token_ids":${ids && first ? JSON.stringify(promptTokenIds(state.promptTokens)) : 'null'},"token_ids":${ids ? tokenIdsJson(tokens) : 'null'}`;
    }
    json += '}]';
    if (this.#continuousUsage) json += `,"usage":${usageJson(state.promptTokens, state.tokens.length)}`;
    return `${json}}`;
  }

  /** `deltaJson` is the delta object, already JSON-encoded. */
  #chatChunk(deltaJson: string, finish: string | null, state: GenerationState, completionTokens: number, tokens?: readonly SimToken[]): string {
    let json = `${this.#chunkHeadJson(state)}"choices":[{"index":0,"delta":${deltaJson},"logprobs":null,"finish_reason":${finishJson(finish)}`;
    if (finish !== null && this.#flavour !== 'openai') json += ',"stop_reason":null';
    if (tokens && this.#request.returnTokenIds && this.#flavour === 'vllm') json += `,"token_ids":${tokenIdsJson(tokens)}`;
    json += '}]';
    if (this.#continuousUsage) json += `,"usage":${usageJson(state.promptTokens, completionTokens)}`;
    return `${json}}`;
  }
}

/** The chat role chunk's delta (written with the first token). */
const ROLE_DELTA_JSON = '{"role":"assistant","content":""}';

function finishJson(finish: string | null): string {
  return finish === null ? 'null' : JSON.stringify(finish);
}

function tokenIdsJson(tokens: readonly SimToken[]): string {
  let json = '[';
  for (let i = 0; i < tokens.length; i++) json += i === 0 ? `${tokens[i]!.id}` : `,${tokens[i]!.id}`;
  return `${json}]`;
}

/** JSON of usage(): integer counts print the same from a template as from JSON.stringify. */
function usageJson(promptTokens: number, completionTokens: number): string {
  return `{"prompt_tokens":${promptTokens},"total_tokens":${promptTokens + completionTokens},"completion_tokens":${completionTokens}}`;
}

/** vLLM's UsageInfo key order: prompt_tokens, total_tokens, completion_tokens. */
function usage(promptTokens: number, completionTokens: number): Record<string, number> {
  return { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens };
}

/** vLLM --enable-per-request-metrics (engine-apis.md §2c): milliseconds from the engine's own stamps. */
function perRequestMetrics(state: GenerationState): Record<string, number> {
  const admittedMs = state.admittedMs ?? state.receivedMs;
  const firstMs = state.firstTokenMs ?? admittedMs;
  const lastMs = state.lastTokenMs ?? firstMs;
  const n = state.tokens.length;
  const generationMs = lastMs - firstMs;
  return {
    queue_time_ms: admittedMs - state.receivedMs,
    time_to_first_token_ms: firstMs - admittedMs,
    generation_time_ms: generationMs,
    mean_itl_ms: n > 1 ? generationMs / (n - 1) : 0,
    tokens_per_second: lastMs > admittedMs ? n / ((lastMs - admittedMs) / 1000) : 0,
  };
}

export function joinText(tokens: readonly SimToken[]): string {
  let text = '';
  for (const token of tokens) text += token.text;
  return text;
}
