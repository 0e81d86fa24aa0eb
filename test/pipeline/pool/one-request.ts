/**
 * What the executeRequest tests share: a two-token OpenAI stream, a request context on a one-connection
 * agent (closed when the test ends), and one streamed chat request through it.
 */
import type { ExecutionContext } from 'ava';
import { Agent } from 'undici';
import { systemClock } from '../../../pipeline/core/clock.js';
import { adapterFor } from '../../../collectors/engines/index.js';
import type { DispatchPacer } from '../../../pipeline/pool/dispatch-pacer.js';
import { executeRequest, type FinishedRequest, type RequestContext } from '../../../pipeline/pool/execute-request.js';
import { Watchdog } from '../../../pipeline/pool/watchdog.js';

/** Role chunk, two one-token chunks, the finish chunk, usage, [DONE]. */
export const TWO_TOKEN_SSE = [
  '{"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}',
  '{"choices":[{"index":0,"delta":{"content":"a"}}]}',
  '{"choices":[{"index":0,"delta":{"content":"b"}}]}',
  '{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}',
  '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
  '[DONE]',
].map((data) => `data: ${data}\n\n`).join('');

export function requestContext(t: ExecutionContext, origin: string, pacer?: DispatchPacer): RequestContext {
  const agent = new Agent({ connections: 1 });
  t.teardown(() => agent.close());
  const watchdog = new Watchdog(10_000, 10_000, () => systemClock.nowMs());
  t.teardown(() => watchdog.stop());
  return {
    adapter: adapterFor('openai'),
    dispatcher: agent,
    origin,
    clock: systemClock,
    watchdog,
    runId: 'run',
    workerIndex: 0,
    networkRttMs: 0,
    basePath: '',
    ...(pacer ? { pacer } : {}),
  };
}

/** One streamed chat request asking for 2 tokens. */
export function sendChat(context: RequestContext, requestId: string): Promise<FinishedRequest> {
  return executeRequest(
    context,
    { requestId, model: 'm', prompt: 'p', promptTokens: 1, maxTokens: 2, stream: true, api: 'chat' },
    { tIntended: systemClock.nowMs(), stage: 'main', stageIndex: 0, warmup: false },
    new AbortController().signal,
  );
}
