/**
 * Ollama's OpenAI layer (engine-apis.md §1b; middleware/openai.go, openai/openai.go): SSE with
 * `system_fingerprint:"fp_ollama"`, ids `chatcmpl-<0..998>` / `cmpl-<0..998>`, no durations at all, usage only
 * with include_usage (a `"choices":[]` chunk before [DONE]), and since v0.32.6 the finish reason in its own
 * chunk with `"delta":{}`. Errors are wrapped as `{"error":{"message","type","param","code"}}`.
 */
import type { GenerationSpec, GenerationState, RequestContext, Route, StreamPlan, UnaryPlan } from '../dialect.js';
import { SSE_CONTENT_TYPE, sseData } from '../dialect.js';
import { decideLength } from '../output-length.js';
import { GIN_JSON, ginJson, isServed, servedName } from './ollama-common.js';
import { isObject, parseOpenAiRequest, type OpenAiApi } from './openai-request.js';

/** openai.NewError: 400 invalid_request_error, 404 not_found_error, anything else api_error. */
export function ollamaOpenAiErrorBody(status: number, message: string): string {
  const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
  return JSON.stringify({ error: { message, type, param: null, code: null } });
}

export function ollamaOpenAiRoutes(): Route[] {
  return [
    { method: 'POST', path: '/v1/chat/completions', generation: true, handle: (ctx) => handle(ctx, 'chat') },
    { method: 'POST', path: '/v1/completions', generation: true, handle: (ctx) => handle(ctx, 'completions') },
    {
      method: 'GET',
      path: '/v1/models',
      handle: (ctx) =>
        ginJson(ctx, 200, { object: 'list', data: [{ id: servedName(ctx.core.options.model), object: 'model', created: Math.floor(ctx.core.startedMs / 1000), owned_by: 'library' }] }),
    },
  ];
}

async function handle(ctx: RequestContext, api: OpenAiApi): Promise<void> {
  const fail = (status: number, message: string) => ctx.send(status, GIN_JSON, ollamaOpenAiErrorBody(status, message));
  const parsed = ctx.json();
  if (!parsed.ok) return fail(400, parsed.error);
  const body = parsed.value;
  if (api === 'chat' && isObject(body) && (!Array.isArray(body.messages) || body.messages.length === 0)) return fail(400, "[] is too short - 'messages'");
  if (api === 'completions' && isObject(body) && typeof body.prompt !== 'string') {
    return fail(400, 'json: cannot unmarshal value into Go struct field CompletionRequest.prompt of type string');
  }
  const result = parseOpenAiRequest(body, api);
  if (!result.ok) return fail(400, result.problem.message);
  const request = result.value;
  const model = request.model ?? '';
  ctx.note({ model, stream: request.stream, promptTokens: request.promptTokens });
  if (!isServed(ctx.core, model)) return fail(404, `model "${model}" not found, try pulling it first`);

  // max_tokens maps to num_predict: a cap, never an exact count.
  const maxTokens = request.maxTokens !== undefined && request.maxTokens > 0 ? request.maxTokens : Number.POSITIVE_INFINITY;
  const length = decideLength({ maxTokens }, ctx.core.options.perf.naturalLengthTokens);
  const chat = api === 'chat';
  const id = `${chat ? 'chatcmpl' : 'cmpl'}-${Math.floor(Math.random() * 999)}`;
  const usage = (state: GenerationState) => ({ prompt_tokens: state.promptTokens, completion_tokens: state.tokens.length, total_tokens: state.promptTokens + state.tokens.length });
  // ChatCompletionChunk: id, object, created, model, system_fingerprint, choices, usage.
  const chatChunk = (state: GenerationState, choices: unknown[]) => ({ id, object: 'chat.completion.chunk', created: state.createdS, model, system_fingerprint: 'fp_ollama', choices });
  // CompletionChunk: id, object, created, choices, model, system_fingerprint, usage.
  const completionChunk = (state: GenerationState, choices: unknown[]) => ({ id, object: 'text_completion', created: state.createdS, choices, model, system_fingerprint: 'fp_ollama' });

  const streamPlan: StreamPlan = {
    kind: 'stream',
    contentType: SSE_CONTENT_TYPE,
    headersWithFirstWrite: true,
    chunk: (tokens, state) => {
      const first = state.tokens.length === tokens.length;
      return tokens
        .map((token, i) => {
          const delta = first && i === 0 ? { role: 'assistant', content: token.text } : { content: token.text };
          const chunk = chat ? chatChunk(state, [{ index: 0, delta, finish_reason: null }]) : completionChunk(state, [{ text: token.text, index: 0, finish_reason: null }]);
          return sseData(JSON.stringify(chunk));
        })
        .join('');
    },
    epilogue: (state) => {
      const finish = chat ? chatChunk(state, [{ index: 0, delta: {}, finish_reason: state.finishReason }]) : completionChunk(state, [{ text: '', index: 0, finish_reason: state.finishReason }]);
      let out = sseData(JSON.stringify(finish));
      if (request.includeUsage) out += sseData(JSON.stringify({ ...(chat ? chatChunk(state, []) : completionChunk(state, [])), usage: usage(state) }));
      return `${out}data: [DONE]\n\n`;
    },
    // The native error line, converted by the middleware into an OpenAI error event; the stream then ends.
    midStreamError: (message) => sseData(ollamaOpenAiErrorBody(500, message)),
    malformed: (state) => `data: {"id":"${id}","object":"${chat ? 'chat.completion.chunk' : 'text_completion'}","created":${state.createdS},"choices":[{\n\n`,
  };
  const unaryPlan: UnaryPlan = {
    kind: 'unary',
    respond: (state) => {
      const body = chat
        ? { id, object: 'chat.completion', created: state.createdS, model, system_fingerprint: 'fp_ollama', choices: [{ index: 0, message: { role: 'assistant', content: state.text }, finish_reason: state.finishReason }], usage: usage(state) }
        : { id, object: 'text_completion', created: state.createdS, model, system_fingerprint: 'fp_ollama', choices: [{ text: state.text, index: 0, finish_reason: state.finishReason }], usage: usage(state) };
      return { contentType: GIN_JSON, body: JSON.stringify(body) };
    },
  };
  const spec: GenerationSpec = {
    model,
    stream: request.stream,
    promptTokens: request.promptTokens,
    maxTokens,
    ...length,
    plan: request.stream ? streamPlan : unaryPlan,
    errorBody: (status, message) => ({ contentType: GIN_JSON, body: ollamaOpenAiErrorBody(status, message) }),
    overload: { status: 503, message: 'server busy, please try again.  maximum pending requests exceeded' },
  };
  await ctx.generate(spec);
}
