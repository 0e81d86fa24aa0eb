/**
 * A server that closes every connection right after answering while saying keep-alive (as llama-server does
 * after a stream): the next request on that socket fails before any answer, and is sent once more.
 */
import test from 'ava';
import { Agent } from 'undici';
import { systemClock } from '../../../pipeline/core/clock.js';
import { adapterFor } from '../../../collectors/engines/index.js';
import { executeRequest } from '../../../pipeline/pool/execute-request.js';
import { Watchdog } from '../../../pipeline/pool/watchdog.js';
import { startScriptedServer } from '../../helpers/scripted-server.js';

const SSE = [
  '{"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}',
  '{"choices":[{"index":0,"delta":{"content":"a"}}]}',
  '{"choices":[{"index":0,"delta":{"content":"b"}}]}',
  '{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}',
  '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
  '[DONE]',
].map((data) => `data: ${data}\n\n`).join('');

test('requests on a connection the server closed unanswered are retried once and succeed', async (t) => {
  // Deterministic stand-in for the race: a connection answers its first request only; a second request on it
  // finds it closed without an answer, which is what the client sees when the server's FIN arrives late.
  const served = new WeakMap<object, number>();
  const server = await startScriptedServer((request, response) => {
    const socket = request.socket;
    const count = (served.get(socket) ?? 0) + 1;
    served.set(socket, count);
    if (count > 1) {
      socket.destroy();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive' });
    response.end(SSE);
  });
  t.teardown(() => server.close());
  const agent = new Agent({ connections: 1 });
  t.teardown(() => agent.close());
  const watchdog = new Watchdog(10_000, 10_000, () => systemClock.nowMs());
  t.teardown(() => watchdog.stop());
  const context = {
    adapter: adapterFor('openai'),
    dispatcher: agent,
    origin: server.url,
    clock: systemClock,
    watchdog,
    runId: 'run',
    workerIndex: 0,
    networkRttMs: 0,
    basePath: '',
  };
  let retried = 0;
  for (let i = 0; i < 6; i++) {
    const record = await executeRequest(
      context,
      { requestId: `r${i}`, model: 'm', prompt: 'p', promptTokens: 1, maxTokens: 2, stream: true, api: 'chat' },
      { tIntended: systemClock.nowMs(), stage: 'main', stageIndex: 0, warmup: false },
      new AbortController().signal,
    );
    t.is(record.status, 'ok', `${record.request_id}: ${record.error_kind} ${record.error_message}`);
    t.is(record.output_tokens, 2);
    retried += record.transport_retries ?? 0;
  }
  // Every request after the first met a used connection, was refused unanswered, and went again on a new one.
  t.is(retried, 5);
});
