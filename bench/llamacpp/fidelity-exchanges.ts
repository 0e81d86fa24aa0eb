/**
 * The requests whose real answers are recorded into test/fixtures/llamacpp/ (record-fixtures.ts) and replayed
 * against the simulator (test/simulator/llamacpp-fidelity.test.ts). Generation bodies are built by llmbench's
 * own adapters, so the fixtures show exactly what llmbench meets; a few variants add what other clients send.
 */
import { request } from 'undici';
import { llamacpp } from '../../collectors/engines/llamacpp.js';
import { openai } from '../../collectors/engines/openai.js';
import type { ApiKind, EngineAdapter } from '../../pipeline/core/engine.js';

export interface ExchangeRequest {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** A JSON body, or a string sent as it is (to provoke a parse error). */
  readonly body?: unknown;
  /** Sent while this streaming request runs (a busy slot), which is then abandoned. */
  readonly during?: { readonly path: string; readonly body: unknown };
}

/** A recorded answer: the request plus what the server sent (the body is in `file`). */
export interface RecordedExchange extends ExchangeRequest {
  readonly status: number;
  readonly content_type: string;
  readonly file: string;
}

export interface FixtureManifest {
  readonly recorded_with: string;
  readonly recorded_at: string;
  readonly server: { readonly build_info: string; readonly model: string; readonly slots: number; readonly n_ctx: number };
  readonly exchanges: readonly RecordedExchange[];
}

/** Output tokens per recorded generation: enough for several content chunks, short enough to read. */
const N = 6;
/**
 * The tiny model's noise is greedy (temperature 0), so a prompt decides whether its first tokens are whole
 * UTF-8 characters. These two give text in every chunk; most prompts make the server withhold some tokens
 * (merged into a later chunk), drop the chat role chunk, or stream no text at all — real, but not the
 * ordinary shape to hold the simulator to.
 */
const PROMPT_TEXT = 'hello world';
const PROMPT_CHAT = 'the city';

function adapterBody(adapter: EngineAdapter, api: ApiKind, stream: boolean, model: string): { path: string; body: unknown } {
  const prompt = api === 'chat' ? PROMPT_CHAT : PROMPT_TEXT;
  const spec = adapter.buildRequest({ requestId: 'fixture', model, prompt, promptTokens: 2, maxTokens: N, stream, api, seed: 1 });
  return { path: spec.path, body: JSON.parse(spec.body!) as unknown };
}

/** In recording order: endpoints of a fresh server first (no slot used yet), /metrics last. */
export function fidelityExchanges(model: string): ExchangeRequest[] {
  const post = (name: string, request: { path: string; body: unknown }): ExchangeRequest => ({ name, method: 'POST', ...request });
  const withExtras = (request: { path: string; body: unknown }, extras: Record<string, unknown>, drop: readonly string[] = []) => {
    const body = { ...(request.body as Record<string, unknown>), ...extras };
    for (const key of drop) delete body[key];
    return { path: request.path, body };
  };
  const nativeStream = adapterBody(llamacpp, 'native', true, model);
  return [
    { name: 'health', method: 'GET', path: '/health' },
    { name: 'v1-models', method: 'GET', path: '/v1/models' },
    { name: 'props', method: 'GET', path: '/props' },
    { name: 'slots-idle', method: 'GET', path: '/slots' },
    { name: 'slots-busy', method: 'GET', path: '/slots', during: withExtras(nativeStream, { n_predict: 1500 }) },
    post('completion-stream', nativeStream),
    post('completion-stream-timings', withExtras(nativeStream, { timings_per_token: true })),
    post('completion', adapterBody(llamacpp, 'native', false, model)),
    post('v1-completions-stream', adapterBody(llamacpp, 'completions', true, model)),
    post('v1-completions-stream-openai', adapterBody(openai, 'completions', true, model)),
    post('v1-completions', adapterBody(llamacpp, 'completions', false, model)),
    post('v1-chat-stream', adapterBody(llamacpp, 'chat', true, model)),
    post('v1-chat-stream-openai', adapterBody(openai, 'chat', true, model)),
    // Without stream_options the timings ride on the finish chunk.
    post('v1-chat-stream-no-usage', withExtras(adapterBody(openai, 'chat', true, model), {}, ['stream_options'])),
    post('v1-chat', adapterBody(llamacpp, 'chat', false, model)),
    post('error-wrong-type', { path: '/completion', body: { prompt: 'x', n_predict: 'many' } }),
    post('error-not-json', { path: '/completion', body: 'not json' }),
    post('error-chat-messages', { path: '/v1/chat/completions', body: { messages: 'hello' } }),
    // 2 100 words: over n_ctx 2048 for the real byte-level tokenizer and for the simulator's word count.
    post('error-context', { path: '/completion', body: { prompt: 'a '.repeat(2100).trim(), n_predict: 4 } }),
    { name: 'error-not-found', method: 'GET', path: '/api/generate' },
    { name: 'metrics', method: 'GET', path: '/metrics' },
  ];
}

/** The fixture file of an answer: `.sse` streams, `.json` JSON, `.txt` the rest (Prometheus text). */
export function fixtureFileName(name: string, contentType: string): string {
  if (contentType.startsWith('text/event-stream')) return `${name}.sse`;
  if (contentType.startsWith('application/json')) return `${name}.json`;
  return `${name}.txt`;
}

export interface ExchangeAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Sends one exchange to `baseUrl` (a real server or the simulator) and reads the whole answer. */
export async function sendExchange(baseUrl: string, exchange: ExchangeRequest): Promise<ExchangeAnswer> {
  if (exchange.during) return whileStreaming(baseUrl, exchange.during, () => sendExchange(baseUrl, { ...exchange, during: undefined }));
  const body = exchange.body === undefined ? null : typeof exchange.body === 'string' ? exchange.body : JSON.stringify(exchange.body);
  // A fresh connection per exchange: llama-server closes the connection after every stream.
  const response = await request(`${baseUrl}${exchange.path}`, {
    method: exchange.method,
    headers: { ...(body !== null ? { 'content-type': 'application/json' } : {}), connection: 'close' },
    body,
    reset: true,
  });
  const text = await response.body.text();
  return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), body: text };
}

/** Starts a long streaming generation, runs `work` once its first bytes arrived (a slot is busy), then abandons it. */
async function whileStreaming<T>(baseUrl: string, during: { path: string; body: unknown }, work: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const response = await request(`${baseUrl}${during.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(during.body),
    signal: controller.signal,
    reset: true,
  });
  const reader = response.body[Symbol.asyncIterator]();
  await reader.next();
  try {
    return await work();
  } finally {
    controller.abort();
    // The aborted body rejects; that is the point.
    await response.body.dump().catch(() => undefined);
  }
}
