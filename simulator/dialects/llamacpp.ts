/**
 * llama.cpp `llama-server` (engine-apis.md §4, tools/server/server-task.cpp): native `/completion` (SSE
 * partials with `tokens_predicted`, a final `stop:true` event with `timings` in ms, no [DONE]), the OpenAI
 * endpoints (chat role chunk with `content:null`, a `delta:{}` finish chunk, `timings` on the last JSON
 * before [DONE], and on every content chunk with `timings_per_token`), `/health`, `/props`, `/slots`,
 * `/v1/models`, `/metrics`. JSON keys follow the server's insertion order (nlohmann ordered_json). Shapes are
 * checked against recordings of the real server (test/simulator/llamacpp-fidelity.test.ts).
 */
import { tokenizeRoute } from './tokenize.js';
import type { Dialect, DialectModule, GenerationSpec, GenerationState, RequestContext, StreamPlan, UnaryPlan } from '../dialect.js';
import { SSE_CONTENT_TYPE, sseData } from '../dialect.js';
import { decideLength, type LengthDecision } from '../output-length.js';
import { randomAlnum } from '../random.js';
import { countPromptTokens } from '../tokens.js';
import { modelListBody, propsBody, SlotHistory, slotsBody } from './llamacpp-endpoints.js';
import { LLAMACPP_METRICS_CONTENT_TYPE, renderLlamacppMetrics } from './llamacpp-metrics.js';
import { generationSettings, timings, type RequestSettings } from './llamacpp-settings.js';
import { isObject, parseOpenAiRequest, type OpenAiApi } from './openai-request.js';
import { joinText } from './openai-compat.js';

/** The build the fixtures were recorded from (its `build_info` and `system_fingerprint`). */
export const BUILD_INFO = 'b11669-Debian';
/** The real server (Debian build) reports id_slot -1 in partial events and the slot only in the final one. */
const PARTIAL_ID_SLOT = -1;
/** cpp-httplib's JSON responses carry a charset; its SSE responses do not. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  500: 'server_error',
  501: 'not_supported_error',
  503: 'unavailable_error',
};

export function llamacppErrorBody(status: number, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: { code: status, message, type: ERROR_TYPES[status] ?? 'server_error', ...extra } });
}

const sendJson = (ctx: RequestContext, status: number, value: unknown) => ctx.send(status, JSON_CONTENT_TYPE, JSON.stringify(value));

export const llamacppDialect: DialectModule = {
  buckets: () => ({}),
  create(core): Dialect {
    const history = new SlotHistory();
    const health = (ctx: RequestContext) => sendJson(ctx, 200, { status: 'ok' });
    const models = (ctx: RequestContext) => sendJson(ctx, 200, modelListBody(core));
    const completion = (ctx: RequestContext) => handleCompletion(ctx, history);
    const chat = (ctx: RequestContext) => handleOpenAi(ctx, 'chat', history);
    return {
      engine: 'llamacpp',
      routes: [
        { method: 'POST', path: '/completion', generation: true, handle: completion },
        { method: 'POST', path: '/completions', generation: true, handle: completion },
        { method: 'POST', path: '/v1/completions', generation: true, handle: (ctx) => handleOpenAi(ctx, 'completions', history) },
        { method: 'POST', path: '/v1/chat/completions', generation: true, handle: chat },
        { method: 'POST', path: '/chat/completions', generation: true, handle: chat },
        { method: 'GET', path: '/health', handle: health },
        tokenizeRoute('llamacpp', core.options.perf.maxModelLen),
        { method: 'GET', path: '/v1/health', handle: health },
        { method: 'GET', path: '/v1/models', handle: models },
        { method: 'GET', path: '/models', handle: models },
        { method: 'GET', path: '/props', handle: (ctx) => sendJson(ctx, 200, propsBody(core, BUILD_INFO)) },
        { method: 'GET', path: '/slots', handle: (ctx) => slots(ctx, history) },
        { method: 'GET', path: '/metrics', handle: (ctx) => ctx.send(200, LLAMACPP_METRICS_CONTENT_TYPE, renderLlamacppMetrics(core.stats, core.driver.snapshot())) },
      ],
      // This one error body puts `code` last.
      notFound: (ctx) => sendJson(ctx, 404, { error: { message: 'File Not Found', type: 'not_found_error', code: 404 } }),
    };
  },
};

type Plan = { error: { status: number; body: string } } | { length: LengthDecision; cap: number };

/** Checks the context and decides the length; returns the error to send, or the decision. */
function plan(ctx: RequestContext, promptTokens: number, nPredict: number, ignoreEos: boolean): Plan {
  const nCtx = ctx.core.options.perf.maxModelLen;
  if (promptTokens >= nCtx) {
    return {
      error: {
        status: 400,
        body: llamacppErrorBody(400, `request (${promptTokens} tokens) exceeds the available context size (${nCtx} tokens), try increasing it`, {
          type: 'exceed_context_size_error',
          n_prompt_tokens: promptTokens,
          n_ctx: nCtx,
        }),
      },
    };
  }
  // n_predict −1 = until EOS or the slot's context is full; 0 still samples one token (seen on b11669).
  const room = nCtx - promptTokens;
  const cap = nPredict < 0 ? room : Math.min(Math.max(nPredict, 1), room);
  return { length: decideLength({ maxTokens: cap, ignoreEos }, ctx.core.options.perf.naturalLengthTokens), cap };
}

/** Sampling settings a request's body asks for, as the server echoes them. */
function requestSettings(body: Record<string, unknown>, nPredict: number, chat: boolean): RequestSettings {
  return {
    nPredict,
    ignoreEos: body.ignore_eos === true,
    stream: body.stream === true,
    ...(Number.isInteger(body.seed) ? { seed: body.seed as number } : {}),
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    timingsPerToken: body.timings_per_token === true,
    chat,
  };
}

async function handleCompletion(ctx: RequestContext, history: SlotHistory): Promise<void> {
  const fail = (status: number, message: string) => ctx.send(status, JSON_CONTENT_TYPE, llamacppErrorBody(status, message));
  const parsed = ctx.json();
  if (!parsed.ok) return fail(400, `[json.exception.parse_error] ${parsed.error}`);
  const body = parsed.value;
  if (!isObject(body)) return fail(400, 'the request body must be a JSON object');
  const promptTokens = countPromptTokens(body.prompt);
  if (promptTokens === undefined) return fail(400, '"prompt" must be a string, a list of tokens, or a mix of both');
  const stream = body.stream === true;
  const model = ctx.core.options.model;
  ctx.note({ model, stream, promptTokens });
  const nPredictField = body.n_predict ?? body.max_tokens ?? -1;
  if (!Number.isInteger(nPredictField)) return fail(400, '"n_predict" must be an integer');
  const nPredict = nPredictField as number;
  const settings = requestSettings(body, nPredict, false);
  const ignoreEos = settings.ignoreEos;
  const returnTokens = body.return_tokens === true;
  const timingsPerToken = settings.timingsPerToken;
  const decision = plan(ctx, promptTokens, nPredict, ignoreEos);
  if ('error' in decision) return ctx.send(decision.error.status, JSON_CONTENT_TYPE, decision.error.body);
  const promptText = typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.prompt);

  const final = (state: GenerationState, content: string, tokenIds: number[]) => {
    history.note(state.slot, state.requestId, state.promptTokens, settings);
    return {
      index: 0,
      content,
      tokens: tokenIds,
      id_slot: state.slot,
      stop: true,
      model,
      tokens_predicted: state.tokens.length,
      tokens_evaluated: state.promptTokens,
      generation_settings: generationSettings(settings, true),
      prompt: promptText,
      has_new_line: false,
      truncated: false,
      stop_type: state.finishReason === 'length' ? 'limit' : 'eos',
      stopping_word: '',
      tokens_cached: state.promptTokens + state.tokens.length - 1,
      timings: timings(state),
    };
  };
  const streamPlan: StreamPlan = {
    kind: 'stream',
    contentType: SSE_CONTENT_TYPE,
    chunk: (tokens, state) => {
      history.note(state.slot, state.requestId, state.promptTokens, settings);
      const partial: Record<string, unknown> = {
        index: 0,
        content: joinText(tokens),
        tokens: returnTokens ? tokens.map((t) => t.id) : [],
        stop: false,
        id_slot: PARTIAL_ID_SLOT,
        tokens_predicted: state.tokens.length,
        tokens_evaluated: state.promptTokens,
      };
      if (timingsPerToken) partial.timings = timings(state);
      return sseData(JSON.stringify(partial));
    },
    // In stream mode the final event's content is "" (everything was already sent) and carries the timings.
    epilogue: (state) => sseData(JSON.stringify(final(state, '', []))),
    midStreamError: (message) => sseData(llamacppErrorBody(500, message)),
    malformed: (state) => `data: {"index":0,"content":"${state.tokens.at(-1)?.text ?? ''}","tokens":[\n\n`,
  };
  const unaryPlan: UnaryPlan = {
    kind: 'unary',
    respond: (state) => ({ contentType: JSON_CONTENT_TYPE, body: JSON.stringify(final(state, state.text, returnTokens ? state.tokens.map((t) => t.id) : [])) }),
  };
  await ctx.generate(spec(model, stream, promptTokens, decision.cap, decision.length, stream ? streamPlan : unaryPlan));
}

async function handleOpenAi(ctx: RequestContext, api: OpenAiApi, history: SlotHistory): Promise<void> {
  const fail = (status: number, message: string) => ctx.send(status, JSON_CONTENT_TYPE, llamacppErrorBody(status, message));
  const parsed = ctx.json();
  if (!parsed.ok) return fail(400, `[json.exception.parse_error] ${parsed.error}`);
  const result = parseOpenAiRequest(parsed.value, api);
  if (!result.ok) return fail(400, result.problem.message);
  const request = result.value;
  // A single-model server: `model` is not checked and the answer names the served alias.
  const model = ctx.core.options.model;
  ctx.note({ model, stream: request.stream, promptTokens: request.promptTokens });
  const nPredict = request.maxTokens ?? -1;
  const decision = plan(ctx, request.promptTokens, nPredict, request.ignoreEos);
  if ('error' in decision) return ctx.send(decision.error.status, JSON_CONTENT_TYPE, decision.error.body);
  const chat = api === 'chat';
  const settings = requestSettings(parsed.value as Record<string, unknown>, nPredict, chat);
  // The recorded build names /v1/completions answers `chatcmpl-…` too.
  const id = `chatcmpl-${randomAlnum(32)}`;
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  const usage = (state: GenerationState) => ({
    completion_tokens: state.tokens.length,
    prompt_tokens: state.promptTokens,
    total_tokens: state.promptTokens + state.tokens.length,
    prompt_tokens_details: { cached_tokens: 0 },
  });
  // Chat chunks: choices, created, id, model, system_fingerprint, object. Completion chunks put id last.
  const chatChunk = (state: GenerationState, choices: unknown[]) => ({ choices, created: state.createdS, id, model, system_fingerprint: BUILD_INFO, object });
  const completionChunk = (state: GenerationState, text: string, finish: string | null, extra: Record<string, unknown> = {}) => ({
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    created: state.createdS,
    model,
    system_fingerprint: BUILD_INFO,
    object,
    ...extra,
    id,
  });

  const streamPlan: StreamPlan = {
    kind: 'stream',
    contentType: SSE_CONTENT_TYPE,
    // The first token comes as two events back to back: the role chunk with content null, then the text.
    ...(chat ? { preamble: (state: GenerationState) => sseData(JSON.stringify(chatChunk(state, [{ finish_reason: null, index: 0, delta: { role: 'assistant', content: null } }]))) } : {}),
    chunk: (tokens, state) => {
      history.note(state.slot, state.requestId, state.promptTokens, settings);
      const chunk: Record<string, unknown> = chat
        ? chatChunk(state, [{ finish_reason: null, index: 0, delta: { content: joinText(tokens) } }])
        : completionChunk(state, joinText(tokens), null);
      // timings_per_token: the running timings on every content chunk (never on the role chunk).
      if (settings.timingsPerToken) chunk.timings = timings(state);
      return sseData(JSON.stringify(chunk));
    },
    epilogue: (state) => {
      if (!chat) {
        const last = { ...completionChunk(state, '', state.finishReason, { usage: usage(state) }), timings: timings(state) };
        return `${sseData(JSON.stringify(last))}data: [DONE]\n\n`;
      }
      const events: Array<Record<string, unknown>> = [chatChunk(state, [{ finish_reason: state.finishReason, index: 0, delta: {} }])];
      if (request.includeUsage) events.push({ ...chatChunk(state, []), usage: usage(state) });
      // timings ride on the last JSON before [DONE].
      events[events.length - 1]!.timings = timings(state);
      return `${events.map((e) => sseData(JSON.stringify(e))).join('')}data: [DONE]\n\n`;
    },
    midStreamError: (message) => sseData(llamacppErrorBody(500, message)),
    malformed: (state) => `data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"${state.tokens.at(-1)?.text ?? ''}\n\n`,
  };
  const unaryPlan: UnaryPlan = {
    kind: 'unary',
    respond: (state) => {
      history.note(state.slot, state.requestId, state.promptTokens, settings);
      const body = chat
        ? {
            choices: [{ finish_reason: state.finishReason, index: 0, message: { role: 'assistant', content: state.text } }],
            created: state.createdS,
            model,
            system_fingerprint: BUILD_INFO,
            object: 'chat.completion',
            usage: usage(state),
            id,
            timings: timings(state),
          }
        : { ...completionChunk(state, state.text, state.finishReason, { usage: usage(state) }), timings: timings(state) };
      return { contentType: JSON_CONTENT_TYPE, body: JSON.stringify(body) };
    },
  };
  await ctx.generate(spec(model, request.stream, request.promptTokens, decision.cap, decision.length, request.stream ? streamPlan : unaryPlan));
}

function spec(
  model: string,
  stream: boolean,
  promptTokens: number,
  maxTokens: number,
  length: { targetTokens: number; finishReason: 'length' | 'stop' },
  plan: StreamPlan | UnaryPlan,
): GenerationSpec {
  return {
    model,
    stream,
    promptTokens,
    maxTokens,
    ...length,
    plan,
    errorBody: (status, message) => ({ contentType: JSON_CONTENT_TYPE, body: llamacppErrorBody(status, message) }),
    overload: { status: 503, message: 'no slot available' },
  };
}

function slots(ctx: RequestContext, history: SlotHistory): void {
  const list = slotsBody(ctx.core, history);
  if (ctx.url.searchParams.has('fail_on_no_slot') && list.every((slot) => (slot as { is_processing: boolean }).is_processing)) {
    return ctx.send(503, JSON_CONTENT_TYPE, llamacppErrorBody(503, 'no slot available'));
  }
  sendJson(ctx, 200, list);
}
