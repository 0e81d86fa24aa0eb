/**
 * Ollama (engine-apis.md §1): the native `/api/generate` and `/api/chat` (NDJSON; the final line has
 * `done:true`, `done_reason` and integer-nanosecond durations, zero metrics omitted as Go's omitempty does),
 * `/api/tags`, `/api/ps`, `/api/show`, `/api/version`, `GET /` and the `/v1` layer (ollama-openai.ts).
 * Go's net/http sends the status line with the first body write, so a request waiting for the model to load
 * or for a slot shows no headers until its first token. The first use of the model pays `coldLoadMs`, which
 * Ollama reports in `load_duration` (together with any wait for a slot).
 */
import { createHash } from 'node:crypto';
import type { Dialect, DialectModule, GenerationSpec, GenerationState, RequestContext, SimCore, StreamPlan, UnaryPlan } from '../dialect.js';
import { decideLength } from '../output-length.js';
import { countMessageTokens, countTextTokens, promptTokenIds } from '../tokens.js';
import { isObject } from './openai-request.js';
import { GIN_JSON, ginJson, isServed, servedName } from './ollama-common.js';
import { ollamaOpenAiRoutes } from './ollama-openai.js';

export const OLLAMA_VERSION = '0.32.6';
const NDJSON = 'application/x-ndjson';
const MODEL_SIZE_BYTES = 1_321_098_329;

export function ollamaErrorBody(message: string): string {
  return JSON.stringify({ error: message });
}

export const ollamaDialect: DialectModule = {
  buckets: () => ({}),
  create(core): Dialect {
    return {
      engine: 'ollama',
      routes: [
        { method: 'GET', path: '/', handle: (ctx) => ctx.send(200, 'text/plain; charset=utf-8', 'Ollama is running') },
        { method: 'HEAD', path: '/', handle: (ctx) => ctx.send(200, 'text/plain; charset=utf-8', 'Ollama is running') },
        { method: 'GET', path: '/api/version', handle: (ctx) => ginJson(ctx, 200, { version: OLLAMA_VERSION }) },
        { method: 'GET', path: '/api/tags', handle: (ctx) => ginJson(ctx, 200, { models: [tagEntry(core)] }) },
        { method: 'GET', path: '/api/ps', handle: (ctx) => ginJson(ctx, 200, { models: core.driver.snapshot().loaded ? [psEntry(core)] : [] }) },
        { method: 'POST', path: '/api/show', handle: (ctx) => show(ctx, core) },
        { method: 'POST', path: '/api/generate', generation: true, handle: (ctx) => handleNative(ctx, 'generate') },
        { method: 'POST', path: '/api/chat', generation: true, handle: (ctx) => handleNative(ctx, 'chat') },
        ...ollamaOpenAiRoutes(),
      ],
      // gin's default 404.
      notFound: (ctx) => ctx.send(404, 'text/plain', '404 page not found'),
    };
  },
};

function details(): Record<string, unknown> {
  return { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1.2B', quantization_level: 'Q4_K_M' };
}

function digest(core: SimCore): string {
  return createHash('sha256').update(servedName(core.options.model)).digest('hex');
}

function tagEntry(core: SimCore): Record<string, unknown> {
  const name = servedName(core.options.model);
  return { name, model: name, modified_at: goTime(core.startedMs), size: MODEL_SIZE_BYTES, digest: digest(core), details: details() };
}

function psEntry(core: SimCore): Record<string, unknown> {
  const name = servedName(core.options.model);
  return {
    name,
    model: name,
    size: MODEL_SIZE_BYTES,
    digest: digest(core),
    details: details(),
    expires_at: goTime(core.nowMs() + 5 * 60_000),
    size_vram: MODEL_SIZE_BYTES,
    context_length: core.options.perf.maxModelLen,
  };
}

function show(ctx: RequestContext, core: SimCore): void {
  const parsed = ctx.json();
  const body = parsed.ok && isObject(parsed.value) ? parsed.value : {};
  const requested = typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : '';
  if (!isServed(core, requested)) return ctx.send(404, GIN_JSON, ollamaErrorBody(`model '${requested}' not found`));
  ginJson(ctx, 200, {
    license: '',
    modelfile: `FROM ${servedName(core.options.model)}\n`,
    parameters: '',
    template: '{{ .Prompt }}',
    details: details(),
    model_info: { 'general.architecture': 'llama', 'general.parameter_count': 1_235_814_432, 'llama.context_length': core.options.perf.maxModelLen },
    capabilities: ['completion'],
    modified_at: goTime(core.startedMs),
  });
}

type NativeApi = 'generate' | 'chat';

async function handleNative(ctx: RequestContext, api: NativeApi): Promise<void> {
  const fail = (status: number, message: string) => ctx.send(status, GIN_JSON, ollamaErrorBody(message));
  const parsed = ctx.json();
  if (!parsed.ok) return fail(400, parsed.error);
  const body = parsed.value;
  if (!isObject(body)) return fail(400, 'missing request body');
  const model = typeof body.model === 'string' ? body.model : '';
  const stream = body.stream !== false; // Ollama streams unless told not to
  ctx.note({ model, stream });
  if (model === '') return fail(400, 'model is required');
  if (!isServed(ctx.core, model)) return fail(404, `model '${model}' not found`);
  if (api === 'generate' && body.raw === true && (body.template !== undefined || body.system !== undefined || body.context !== undefined)) {
    return fail(400, 'raw mode does not support template, system, or context');
  }

  let promptTokens: number;
  if (api === 'chat') {
    const messages = body.messages ?? [];
    if (!Array.isArray(messages)) return fail(400, 'messages must be an array');
    if (messages.length === 0) return loadOnly(ctx, api, model, body.keep_alive);
    const counted = countMessageTokens(messages);
    if (counted === undefined) return fail(400, 'invalid message format');
    promptTokens = counted;
  } else {
    if (body.prompt !== undefined && typeof body.prompt !== 'string') return fail(400, 'prompt must be a string');
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    if (prompt === '') return loadOnly(ctx, api, model, body.keep_alive);
    promptTokens = countTextTokens(prompt);
  }
  const options = isObject(body.options) ? body.options : {};
  // num_ctx: Ollama silently truncates a longer prompt (`truncate` defaults to true).
  const numCtx = Number.isInteger(options.num_ctx) && (options.num_ctx as number) > 0 ? (options.num_ctx as number) : ctx.core.options.perf.maxModelLen;
  promptTokens = Math.min(promptTokens, numCtx);
  ctx.note({ promptTokens });
  // num_predict: a cap only (no ignore_eos, no min_tokens); −1 and −2 mean until EOS / context end.
  const numPredict = Number.isInteger(options.num_predict) && (options.num_predict as number) > 0 ? (options.num_predict as number) : Number.POSITIVE_INFINITY;
  const length = decideLength({ maxTokens: numPredict }, ctx.core.options.perf.naturalLengthTokens);
  const withContext = api === 'generate' && body.raw !== true;
  await ctx.generate(nativeSpec(ctx.core, api, model, stream, promptTokens, numPredict, length, withContext));
}

function nativeSpec(
  core: SimCore,
  api: NativeApi,
  model: string,
  stream: boolean,
  promptTokens: number,
  maxTokens: number,
  length: { targetTokens: number; finishReason: 'length' | 'stop' },
  withContext: boolean,
): GenerationSpec {
  const partial = (text: string) =>
    api === 'chat'
      ? { model, created_at: goTime(core.nowMs()), message: { role: 'assistant', content: text }, done: false }
      : { model, created_at: goTime(core.nowMs()), response: text, done: false };
  const final = (state: GenerationState, text: string) => {
    const head =
      api === 'chat'
        ? { model, created_at: goTime(core.nowMs()), message: { role: 'assistant', content: text }, done_reason: state.finishReason, done: true }
        : {
            model,
            created_at: goTime(core.nowMs()),
            response: text,
            done: true,
            done_reason: state.finishReason,
            ...(withContext ? { context: [...promptTokenIds(state.promptTokens), ...state.tokens.map((t) => t.id)] } : {}),
          };
    return { ...head, ...ollamaMetrics(core, state) };
  };
  const plan: StreamPlan | UnaryPlan = stream
    ? {
        kind: 'stream',
        contentType: NDJSON,
        headersWithFirstWrite: true,
        // One token per line: Ollama's runner streams each token as it is decoded.
        chunk: (tokens) => tokens.map((t) => `${JSON.stringify(partial(t.text))}\n`).join(''),
        epilogue: (state) => `${JSON.stringify(final(state, ''))}\n`,
        midStreamError: (message) => `${ollamaErrorBody(message)}\n`,
        malformed: () => `{"model":"${model}","created_at":"${goTime(core.nowMs())}","response":\n`,
      }
    : { kind: 'unary', respond: (state) => ({ contentType: GIN_JSON, body: JSON.stringify(final(state, state.text)) }) };
  return {
    model,
    stream,
    promptTokens,
    maxTokens,
    ...length,
    plan,
    errorBody: (_status, message) => ({ contentType: GIN_JSON, body: ollamaErrorBody(message) }),
    overload: { status: 503, message: 'server busy, please try again.  maximum pending requests exceeded' },
  };
}

/**
 * The final line's metrics, in integer nanoseconds (engine-apis.md §1c). load_duration = arrival → slot
 * (model load plus queueing), prompt_eval = slot → first token, eval = first → last token, total = arrival → now.
 * Zero values are left out, as Go's omitempty does.
 */
export function ollamaMetrics(core: SimCore, state: GenerationState): Record<string, number> {
  const nowMs = core.nowMs();
  const admittedMs = state.admittedMs ?? state.receivedMs;
  const firstMs = state.firstTokenMs ?? admittedMs;
  const lastMs = state.lastTokenMs ?? firstMs;
  const ns = (ms: number) => Math.max(0, Math.round(ms * 1e6));
  const metrics: Record<string, number> = {
    total_duration: ns(nowMs - state.receivedMs),
    load_duration: ns(admittedMs - state.receivedMs),
    prompt_eval_count: state.promptTokens,
    prompt_eval_duration: ns(firstMs - admittedMs),
    eval_count: state.tokens.length,
    eval_duration: ns(lastMs - firstMs),
  };
  for (const key of Object.keys(metrics)) if (metrics[key] === 0) delete metrics[key];
  return metrics;
}

/** An empty prompt (or no messages) loads the model, or with keep_alive 0 unloads it (done_reason load/unload). */
async function loadOnly(ctx: RequestContext, api: NativeApi, model: string, keepAlive: unknown): Promise<void> {
  const unload = keepAlive === 0 || keepAlive === '0' || keepAlive === '0s';
  if (unload) ctx.core.driver.unload();
  else await ctx.core.driver.load();
  const reason = unload ? 'unload' : 'load';
  const createdAt = goTime(ctx.core.nowMs());
  const body =
    api === 'chat'
      ? { model, created_at: createdAt, message: { role: 'assistant', content: '' }, done_reason: reason, done: true }
      : { model, created_at: createdAt, response: '', done: true, done_reason: reason };
  ctx.send(200, GIN_JSON, JSON.stringify(body));
}

/**
 * Go's time.Time JSON form (RFC3339Nano, UTC), trailing zeros trimmed. Go prints nanoseconds; an epoch-ms
 * double only resolves about a quarter of a microsecond, so the fraction stops at microseconds.
 */
export function goTime(epochMs: number): string {
  let wholeMs = Math.floor(epochMs);
  let subMsUs = Math.round((epochMs - wholeMs) * 1000);
  if (subMsUs === 1000) {
    wholeMs += 1;
    subMsUs = 0;
  }
  const iso = new Date(wholeMs).toISOString(); // 2025-06-01T12:00:00.101Z
  const fraction = `${iso.slice(20, 23)}${String(subMsUs).padStart(3, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}
