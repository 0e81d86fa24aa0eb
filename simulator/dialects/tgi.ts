/**
 * Hugging Face TGI (engine-apis.md §3): `/generate` (one JSON, timing in `x-*` headers), `/generate_stream`
 * (one token per event, `index` from 1, the last token's event carries `generated_text` and `details`, no
 * [DONE]), the Messages API `/v1/chat/completions` (and `/v1/completions`), `/info`, `/health`, `/metrics`.
 * Errors are `{"error": "...", "error_type": "..."}`: 422 validation, 429 overloaded.
 */
import { tokenizeRoute } from './tokenize.js';
import type { Dialect, DialectModule, GenerationSpec, GenerationState, RequestContext, SimCore, StreamPlan, UnaryPlan } from '../dialect.js';
import { JSON_CONTENT_TYPE, SSE_CONTENT_TYPE, sseData } from '../dialect.js';
import { decideLength } from '../output-length.js';
import { PROMETHEUS_CONTENT_TYPE } from '../prometheus-text.js';
import { countTextTokens, type SimToken } from '../tokens.js';
import { isObject, parseOpenAiRequest, type OpenAiApi } from './openai-request.js';
import { renderTgiMetrics, tgiBuckets } from './tgi-metrics.js';

export const TGI_VERSION = '3.3.6-dev0';
const SYSTEM_FINGERPRINT = '3.3.6-dev0-native';
const COMPUTE_TYPE = 'gpu+optimized';

const ERROR_TYPES: Record<number, string> = { 422: 'validation', 424: 'generation', 429: 'overloaded', 500: 'incomplete_generation', 503: 'healthcheck' };

export function tgiErrorBody(status: number, message: string): string {
  return JSON.stringify({ error: message, error_type: ERROR_TYPES[status] ?? 'generation' });
}

export const tgiDialect: DialectModule = {
  buckets: tgiBuckets,
  create(core): Dialect {
    return {
      engine: 'tgi',
      routes: [
        { method: 'POST', path: '/generate', generation: true, handle: (ctx) => handleGenerate(ctx, false) },
        { method: 'POST', path: '/generate_stream', generation: true, handle: (ctx) => handleGenerate(ctx, true) },
        // The compat route: `stream` in the body picks the mode.
        { method: 'POST', path: '/', generation: true, handle: (ctx) => handleGenerate(ctx, undefined) },
        { method: 'POST', path: '/v1/chat/completions', generation: true, handle: (ctx) => handleMessages(ctx, 'chat') },
        { method: 'POST', path: '/v1/completions', generation: true, handle: (ctx) => handleMessages(ctx, 'completions') },
        { method: 'GET', path: '/health', handle: (ctx) => ctx.send(200, '', '') },
        { method: 'GET', path: '/ping', handle: (ctx) => ctx.send(200, '', '') },
        { method: 'GET', path: '/info', handle: (ctx) => ctx.sendJson(200, info(core)) },
        tokenizeRoute('tgi', core.options.perf.maxModelLen),
        {
          method: 'GET',
          path: '/v1/models',
          handle: (ctx) => ctx.sendJson(200, { object: 'list', data: [{ id: core.options.model, object: 'model', created: 0, owned_by: core.options.model }] }),
        },
        { method: 'GET', path: '/metrics', handle: (ctx) => ctx.send(200, PROMETHEUS_CONTENT_TYPE, renderTgiMetrics(core.stats, core.driver.snapshot())) },
      ],
      // axum: an unknown path is a bare 404.
      notFound: (ctx) => ctx.send(404, '', ''),
    };
  },
};

function info(core: SimCore): Record<string, unknown> {
  const maxTotalTokens = core.options.perf.maxModelLen;
  const maxInFlight = core.options.perf.maxInFlight;
  return {
    model_id: core.options.model,
    model_sha: null,
    model_pipeline_tag: 'text-generation',
    max_concurrent_requests: Number.isFinite(maxInFlight) ? maxInFlight : 128,
    max_best_of: 2,
    max_stop_sequences: 4,
    max_input_tokens: maxTotalTokens - 1,
    max_total_tokens: maxTotalTokens,
    validation_workers: 2,
    max_client_batch_size: 4,
    router: 'text-generation-router',
    version: TGI_VERSION,
    sha: null,
    docker_label: null,
  };
}

/** Checks TGI's validation rules; returns the 422 message or undefined. */
function validate(core: SimCore, inputTokens: number, maxNewTokens: number | undefined): string | undefined {
  const maxTotalTokens = core.options.perf.maxModelLen;
  const maxInputTokens = maxTotalTokens - 1;
  if (maxNewTokens !== undefined && maxNewTokens <= 0) return 'Input validation error: `max_new_tokens` must be strictly positive';
  if (inputTokens > maxInputTokens) return `Input validation error: \`inputs\` tokens must be <= ${maxInputTokens}. Given: ${inputTokens}`;
  if (maxNewTokens !== undefined && inputTokens + maxNewTokens > maxTotalTokens) {
    return `Input validation error: \`inputs\` tokens + \`max_new_tokens\` must be <= ${maxTotalTokens}. Given: ${inputTokens} \`inputs\` tokens and ${maxNewTokens} \`max_new_tokens\``;
  }
  return undefined;
}

async function handleGenerate(ctx: RequestContext, streamRoute: boolean | undefined): Promise<void> {
  const fail = (status: number, message: string) => ctx.send(status, JSON_CONTENT_TYPE, tgiErrorBody(status, message));
  const parsed = ctx.json();
  // axum's Json extractor: a syntax error is 400, a well-formed body of the wrong shape is 422 (plain text).
  if (!parsed.ok) return ctx.send(400, 'text/plain; charset=utf-8', `Failed to parse the request body as JSON: ${parsed.error}`);
  const body = parsed.value;
  if (!isObject(body) || typeof body.inputs !== 'string') {
    return ctx.send(422, 'text/plain; charset=utf-8', 'Failed to deserialize the JSON body into the target type: missing field `inputs`');
  }
  const parameters = isObject(body.parameters) ? body.parameters : {};
  const stream = streamRoute ?? body.stream === true;
  const inputs = body.inputs;
  const inputTokens = countTextTokens(inputs);
  ctx.note({ model: ctx.core.options.model, stream, promptTokens: inputTokens });
  if (inputs.trim().length === 0) return fail(422, 'Input validation error: `inputs` cannot be empty');
  const maxNewTokensField = parameters.max_new_tokens;
  if (maxNewTokensField !== undefined && maxNewTokensField !== null && !Number.isInteger(maxNewTokensField)) {
    return ctx.send(422, 'text/plain; charset=utf-8', 'Failed to deserialize the JSON body into the target type: parameters.max_new_tokens: invalid type');
  }
  const maxNewTokens = typeof maxNewTokensField === 'number' ? maxNewTokensField : undefined;
  const problem = validate(ctx.core, inputTokens, maxNewTokens);
  if (problem) return fail(422, problem);
  if (stream && parameters.decoder_input_details === true) return fail(422, 'Input validation error: `decoder_input_details` == true is not supported when streaming tokens');
  if (stream && typeof parameters.best_of === 'number' && parameters.best_of > 1) return fail(422, 'Input validation error: `best_of` != 1 is not supported when streaming tokens');

  // TGI 3: no max_new_tokens means "fill the context"; no exact-N control (ignore_eos is hard-coded off).
  const cap = maxNewTokens ?? ctx.core.options.perf.maxModelLen - inputTokens;
  const length = decideLength({ maxTokens: cap }, ctx.core.options.perf.naturalLengthTokens);
  const details = parameters.details === true;
  const seed = typeof parameters.seed === 'number' ? parameters.seed : null;
  const headers = { 'x-compute-type': COMPUTE_TYPE, 'x-compute-characters': String(inputs.length) };
  const detailsOf = (state: GenerationState) => ({
    finish_reason: state.finishReason === 'length' ? 'length' : 'eos_token',
    generated_tokens: state.tokens.length,
    seed,
  });
  const plan: StreamPlan | UnaryPlan = stream
    ? {
        kind: 'stream',
        contentType: SSE_CONTENT_TYPE,
        // axum's Sse sets cache-control; TGI adds x-accel-buffering for proxies.
        headers: { ...headers, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
        chunk: (tokens, state, last) => {
          let out = '';
          // TGI never merges tokens: one event per token, whatever the runtime hands over.
          tokens.forEach((token, i) => {
            const index = state.tokens.length - tokens.length + i + 1;
            const final = last && i === tokens.length - 1;
            out += sseData(
              JSON.stringify({
                index,
                token: tgiToken(token),
                generated_text: final ? state.text.trimStart() : null,
                details: final && details ? { ...detailsOf(state), input_length: state.promptTokens } : null,
              }),
            );
          });
          return out;
        },
        epilogue: () => '',
        midStreamError: (message) => sseData(JSON.stringify({ error: message, error_type: 'generation' })),
        malformed: (state) => `data: {"index":${state.tokens.length},"token":{"id":\n\n`,
      }
    : {
        kind: 'unary',
        respond: (state) => {
          const answer: Record<string, unknown> = { generated_text: state.text.trimStart() };
          if (details) answer.details = { ...detailsOf(state), prefill: [], tokens: state.tokens.map(tgiToken) };
          return { contentType: JSON_CONTENT_TYPE, body: JSON.stringify(answer), headers: { ...headers, ...timingHeaders(ctx.core, state) } };
        },
      };
  await ctx.generate(generationSpec(stream, inputTokens, cap, length, plan, ctx.core.options.model));
}

async function handleMessages(ctx: RequestContext, api: OpenAiApi): Promise<void> {
  const fail = (status: number, message: string) => ctx.send(status, JSON_CONTENT_TYPE, tgiErrorBody(status, message));
  const parsed = ctx.json();
  if (!parsed.ok) return ctx.send(400, 'text/plain; charset=utf-8', `Failed to parse the request body as JSON: ${parsed.error}`);
  const result = parseOpenAiRequest(parsed.value, api);
  if (!result.ok) return ctx.send(422, 'text/plain; charset=utf-8', `Failed to deserialize the JSON body into the target type: ${result.problem.message}`);
  const request = result.value;
  // The Messages API ignores `model` (informational); every answer names the served model.
  ctx.note({ model: ctx.core.options.model, stream: request.stream, promptTokens: request.promptTokens });
  const problem = validate(ctx.core, request.promptTokens, request.maxTokens);
  if (problem) return fail(422, problem);
  const cap = request.maxTokens ?? ctx.core.options.perf.maxModelLen - request.promptTokens;
  const length = decideLength({ maxTokens: cap }, ctx.core.options.perf.naturalLengthTokens);
  const model = ctx.core.options.model;
  const chat = api === 'chat';
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  const head = (state: GenerationState) => ({ object, id: '', created: state.createdS, model, system_fingerprint: SYSTEM_FINGERPRINT });
  const choice = (text: string, finish: string | null) =>
    chat ? { index: 0, delta: { role: 'assistant', content: text }, logprobs: null, finish_reason: finish } : { index: 0, text, logprobs: null, finish_reason: finish };
  const usage = (state: GenerationState) => ({ prompt_tokens: state.promptTokens, completion_tokens: state.tokens.length, total_tokens: state.promptTokens + state.tokens.length });
  const plan: StreamPlan | UnaryPlan = request.stream
    ? {
        kind: 'stream',
        contentType: SSE_CONTENT_TYPE,
        headers: { 'x-compute-type': COMPUTE_TYPE, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
        chunk: (tokens, state, last) => {
          let out = '';
          tokens.forEach((token, i) => {
            const final = last && i === tokens.length - 1;
            out += sseData(JSON.stringify({ ...head(state), choices: [choice(token.text, final ? state.finishReason : null)], usage: null }));
          });
          return out;
        },
        epilogue: (state) => `${request.includeUsage ? sseData(JSON.stringify({ ...head(state), choices: [], usage: usage(state) })) : ''}data: [DONE]\n\n`,
        // into_openai_event: the error as an OpenAI-style event, then [DONE].
        midStreamError: (message) => `${sseData(JSON.stringify({ error: { message, http_status_code: 424 } }))}data: [DONE]\n\n`,
        malformed: (state) => `data: {"object":"${object}","id":"","created":${state.createdS},"choices":[\n\n`,
      }
    : {
        kind: 'unary',
        respond: (state) => {
          const message = chat
            ? { index: 0, message: { role: 'assistant', content: state.text.trimStart() }, logprobs: null, finish_reason: state.finishReason }
            : { index: 0, text: state.text.trimStart(), logprobs: null, finish_reason: state.finishReason };
          const body = { object: chat ? 'chat.completion' : 'text_completion', id: '', created: state.createdS, model, system_fingerprint: SYSTEM_FINGERPRINT, choices: [message], usage: usage(state) };
          return { contentType: JSON_CONTENT_TYPE, body: JSON.stringify(body), headers: { 'x-compute-type': COMPUTE_TYPE, ...timingHeaders(ctx.core, state) } };
        },
      };
  await ctx.generate(generationSpec(request.stream, request.promptTokens, cap, length, plan, model));
}

function generationSpec(
  stream: boolean,
  promptTokens: number,
  maxTokens: number,
  length: { targetTokens: number; finishReason: 'length' | 'stop' },
  plan: StreamPlan | UnaryPlan,
  model: string,
): GenerationSpec {
  return {
    model,
    stream,
    promptTokens,
    maxTokens,
    ...length,
    plan,
    errorBody: (status, message) => ({ contentType: JSON_CONTENT_TYPE, body: tgiErrorBody(status, message) }),
    // --max-concurrent-requests: more in flight is refused at once (engine-apis.md §3e).
    overload: { status: 429, message: 'Model is overloaded' },
  };
}

function tgiToken(token: SimToken): Record<string, unknown> {
  return { id: token.id, text: token.text, logprob: -((token.id * 37) % 200) / 100 - 0.01, special: false };
}

/**
 * generate_internal's headers (engine-apis.md §3c): integer milliseconds, truncated, except x-compute-time
 * (seconds, float). Validation is instant here, so queue time starts at arrival.
 */
function timingHeaders(core: SimCore, state: GenerationState): Record<string, string> {
  const nowMs = core.nowMs();
  const admittedMs = state.admittedMs ?? state.receivedMs;
  const totalMs = nowMs - state.receivedMs;
  const inferenceMs = nowMs - admittedMs;
  const generated = Math.max(1, state.tokens.length);
  return {
    'x-compute-time': String(totalMs / 1000),
    'x-total-time': String(Math.trunc(totalMs)),
    'x-validation-time': '0',
    'x-queue-time': String(Math.trunc(admittedMs - state.receivedMs)),
    'x-inference-time': String(Math.trunc(inferenceMs)),
    'x-time-per-token': String(Math.trunc(inferenceMs / generated)),
    'x-prompt-tokens': String(state.promptTokens),
    'x-generated-tokens': String(state.tokens.length),
  };
}
