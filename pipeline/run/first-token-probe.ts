/**
 * One small streaming request that resolves when its first generated token arrives: the "time to first
 * token" leg of a cold start (DESIGN §7). Uses the adapter's own request and parser, like a real request.
 */
import { request } from 'undici';
import type { EngineAdapter } from '../core/engine.js';

export async function firstTokenProbe(adapter: EngineAdapter, url: string, model: string, timeoutMs = 15 * 60_000): Promise<void> {
  const generation = {
    requestId: `cold-start-${Date.now()}`,
    model,
    prompt: 'cold start probe: say something',
    promptTokens: 6,
    maxTokens: 4,
    stream: true,
    api: adapter.defaultApi,
  };
  const spec = adapter.buildRequest(generation);
  const base = new URL(url);
  const response = await request(new URL(base.pathname.replace(/\/$/, '') + spec.path, base.origin), {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  if (response.statusCode >= 400) {
    const body = await response.body.text();
    throw new Error(adapter.classifyError(response.statusCode, body).message);
  }
  const parser = adapter.createStreamParser(generation);
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    const events = parser.push(decoder.decode(chunk as Buffer, { stream: true }));
    if (events.some((event) => event.type === 'content' && event.tokens > 0)) {
      response.body.destroy();
      return;
    }
  }
  throw new Error('the stream ended without a token');
}
