/**
 * llama.cpp `llama-server` (engine-apis.md §4, tools/server/server-task.cpp): native `/completion` (SSE
 * partials with `tokens_predicted`, a final `stop:true` event with `timings` in ms, no [DONE]), the OpenAI
 * endpoints (chat role chunk with `content:null`, a `delta:{}` finish chunk, `timings` on the last JSON
 * before [DONE]), `/health`, `/props`, `/slots`, `/v1/models`, `/metrics`. JSON keys follow the server's
 * insertion order (nlohmann ordered_json). Quirks seen on the real server are constants here, easy to adjust.
 */
import type { Dialect, DialectModule, GenerationSpec, GenerationState, RequestContext, SimCore, StreamPlan, UnaryPlan } from '../dialect.js';
import { JSON_CONTENT_TYPE, SSE_CONTENT_TYPE, sseData } from '../dialect.js';
import { decideLength, type LengthDecision } from '../output-length.js';
import { PROMETHEUS_CONTENT_TYPE } from '../prometheus-text.js';
import { randomAlnum } from '../random.js';
import { countPromptTokens } from '../tokens.js';
import { renderLlamacppMetrics } from './llamacpp-metrics.js';
import { isObject, parseOpenAiRequest, type OpenAiApi } from './openai-request.js';
import { joinText } from './openai-compat.js';

export const BUILD_INFO = 'b6780-1c6a2e3f';
/** The real server (Debian build) reports id_slot -1 in partial events and the slot only in the final one. */
const PARTIAL_ID_SLOT = -1;

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

export const llamacppDialect: DialectModule = {
  buckets: () => ({}),
  create(core): Dialect {
    const health = (ctx: RequestContext) => ctx.sendJson(200, { status: 'ok' });
    const models = (ctx: RequestContext) => ctx.sendJson(200, modelList(core));
    return {
      engine: 'llamacpp',
      routes: [
        { method: 'POST', path: '/completion', generation: true, handle: handleCompletion },
        { method: 'POST', path: '/completions', generation: true, handle: handleCompletion },
        { method: 'POST', path: '/v1/completions', generation: true, handle: (ctx) => handleOpenAi(ctx, 'completions') },
        { method: 'POST', path: '/v1/chat/completions', generation: true, handle: (ctx) => handleOpenAi(ctx, 'chat') },
        { method: 'POST', path: '/chat/completions', generation: true, handle: (ctx) => handleOpenAi(ctx, 'chat') },
        { method: 'GET', path: '/health', handle: health },
        { method: 'GET', path: '/v1/health', handle: health },
        { method: 'GET', path: '/v1/models', handle: models },
        { method: 'GET', path: '/models', handle: models },
        { method: 'GET', path: '/props', handle: (ctx) => ctx.sendJson(200, props(core)) },
        { method: 'GET', path: '/slots', handle: (ctx) => slots(ctx, core) },
        { method: 'GET', path: '/metrics', handle: (ctx) => ctx.send(200, PROMETHEUS_CONTENT_TYPE, renderLlamacppMetrics(core.stats, core.driver.snapshot())) },
      ],
      notFound: (ctx) => ctx.send(404, JSON_CONTENT_TYPE, llamacppErrorBody(404, 'File Not Found')),
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
        body: llamacppErrorBody(400, 'the request exceeds the available context size, try increasing it', {
          type: 'exceed_context_size_error',
          n_prompt_tokens: promptTokens,
          n_ctx: nCtx,
        }),
      },
    };
  }
  // n_predict −1 = until EOS or the slot's context is full.
  const room = nCtx - promptTokens;
  const cap = nPredict < 0 ? room : Math.min(nPredict, room);
  return { length: decideLength({ maxTokens: cap, ignoreEos }, ctx.core.options.perf.naturalLengthTokens), cap };
}

function generationSettings(nPredict: number, ignoreEos: boolean, stream: boolean): Record<string, unknown> {
  return {
    seed: 4294967295,
    temperature: 0.8,
    top_k: 40,
    top_p: 0.95,
    min_p: 0.05,
    max_tokens: nPredict,
    n_predict: nPredict,
    n_keep: 0,
    n_discard: 0,
    ignore_eos: ignoreEos,
    stream,
    n_probs: 0,
    min_keep: 0,
    samplers: ['penalties', 'dry', 'top_n_sigma', 'top_k', 'typ_p', 'top_p', 'min_p', 'xtc', 'temperature'],
    timings_per_token: false,
    lora: [],
  };
}

/** result_timings::to_json: ms floats and tokens/s; rates use N (not N−1). */
function timings(state: GenerationState, nowMs?: number): Record<string, number | null> {
  const admittedMs = state.admittedMs ?? state.receivedMs;
  const firstMs = state.firstTokenMs ?? admittedMs;
  const lastMs = nowMs ?? state.lastTokenMs ?? firstMs;
  const promptMs = firstMs - admittedMs;
  const predictedMs = lastMs - firstMs;
  const predicted = state.tokens.length;
  // nlohmann writes inf/NaN as null; so does JSON.stringify.
  return {
    cache_n: 0,
    prompt_n: state.promptTokens,
    prompt_ms: promptMs,
    prompt_per_token_ms: promptMs / state.promptTokens,
    prompt_per_second: (1e3 * state.promptTokens) / promptMs,
    predicted_n: predicted,
    predicted_ms: predictedMs,
    predicted_per_token_ms: predictedMs / predicted,
    predicted_per_second: (1e3 * predicted) / predictedMs,
  };
}

async function handleCompletion(ctx: RequestContext): Promise<void> {
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
  if (nPredict === 0) return fail(400, 'the simulator needs n_predict != 0 (0 would generate nothing)');
  const ignoreEos = body.ignore_eos === true;
  const returnTokens = body.return_tokens === true;
  const timingsPerToken = body.timings_per_token === true;
  const decision = plan(ctx, promptTokens, nPredict, ignoreEos);
  if ('error' in decision) return ctx.send(decision.error.status, JSON_CONTENT_TYPE, decision.error.body);
  const promptText = typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.prompt);

  const final = (state: GenerationState, content: string, tokenIds: number[]) => ({
    index: 0,
    content,
    tokens: tokenIds,
    id_slot: state.slot,
    stop: true,
    model,
    tokens_predicted: state.tokens.length,
    tokens_evaluated: state.promptTokens,
    generation_settings: generationSettings(nPredict, ignoreEos, stream),
    prompt: promptText,
    has_new_line: false,
    truncated: false,
    stop_type: state.finishReason === 'length' ? 'limit' : 'eos',
    stopping_word: '',
    tokens_cached: state.promptTokens + state.tokens.length - 1,
    timings: timings(state),
  });
  const streamPlan: StreamPlan = {
    kind: 'stream',
    contentType: SSE_CONTENT_TYPE,
    chunk: (tokens, state) => {
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

async function handleOpenAi(ctx: RequestContext, api: OpenAiApi): Promise<void> {
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
  if (nPredict === 0) return fail(400, 'the simulator needs max_tokens != 0 (0 would generate nothing)');
  const decision = plan(ctx, request.promptTokens, nPredict, request.ignoreEos);
  if ('error' in decision) return ctx.send(decision.error.status, JSON_CONTENT_TYPE, decision.error.body);
  const chat = api === 'chat';
  const id = `${chat ? 'chatcmpl' : 'cmpl'}-${randomAlnum(32)}`;
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
    chunk: (tokens, state) =>
      sseData(JSON.stringify(chat ? chatChunk(state, [{ finish_reason: null, index: 0, delta: { content: joinText(tokens) } }]) : completionChunk(state, joinText(tokens), null))),
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

function modelList(core: SimCore): unknown {
  const model = core.options.model;
  const meta = { vocab_type: 2, n_vocab: 256, n_ctx_train: core.options.perf.maxModelLen, n_embd: 256, n_params: 13_000_000, size: 13_631_488 };
  return {
    models: [
      {
        name: model,
        model,
        modified_at: '',
        size: '',
        digest: '',
        type: 'model',
        description: '',
        tags: [''],
        capabilities: ['completion'],
        parameters: '',
        details: { parent_model: '', format: 'gguf', family: '', families: [''], parameter_size: '', quantization_level: '' },
      },
    ],
    object: 'list',
    data: [{ id: model, object: 'model', created: Math.floor(core.startedMs / 1000), owned_by: 'llamacpp', meta }],
  };
}

function props(core: SimCore): unknown {
  const nCtx = core.options.perf.maxModelLen;
  return {
    default_generation_settings: { id: 0, id_task: -1, n_ctx: nCtx, speculative: false, is_processing: false, params: generationSettings(-1, false, false), prompt: '' },
    total_slots: core.options.perf.slots,
    model_alias: core.options.model,
    model_path: `/models/${core.options.model}.gguf`,
    modalities: { vision: false, audio: false },
    chat_template: "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}",
    bos_token: '<s>',
    eos_token: '</s>',
    build_info: BUILD_INFO,
    is_sleeping: false,
  };
}

function slots(ctx: RequestContext, core: SimCore): void {
  const snapshot = core.driver.snapshot();
  const bySlot = new Map(snapshot.slotStates.map((s) => [s.slot, s]));
  const count = Math.max(core.options.perf.slots, ...snapshot.slotStates.map((s) => s.slot + 1));
  const list = Array.from({ length: count }, (_, id) => {
    const busy = bySlot.get(id);
    return {
      id,
      id_task: busy ? busy.jobId : -1,
      n_ctx: core.options.perf.maxModelLen,
      speculative: false,
      is_processing: busy !== undefined,
      params: generationSettings(busy ? busy.outputTokens : -1, false, true),
      next_token: {
        has_next_token: busy !== undefined,
        has_new_line: false,
        n_remain: busy ? busy.outputTokens - busy.generated : -1,
        n_decoded: busy ? busy.generated : 0,
        stopping_word: '',
      },
    };
  });
  if (ctx.url.searchParams.has('fail_on_no_slot') && list.every((slot) => slot.is_processing)) {
    return ctx.send(503, JSON_CONTENT_TYPE, llamacppErrorBody(503, 'no slot available'));
  }
  ctx.sendJson(200, list);
}
