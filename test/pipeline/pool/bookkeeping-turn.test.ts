/**
 * When many streams end together, a record's bookkeeping (metrics, chunk log) waits for a turn of the pacer,
 * like a send does, so sockets are read in between. The stamps must all be taken before that wait.
 */
import test from 'ava';
import { Agent } from 'undici';
import { systemClock } from '../../../pipeline/core/clock.js';
import { adapterFor } from '../../../collectors/engines/index.js';
import { executeRequest } from '../../../pipeline/pool/execute-request.js';
import type { DispatchPacer } from '../../../pipeline/pool/dispatch-pacer.js';
import { Watchdog } from '../../../pipeline/pool/watchdog.js';
import { startScriptedServer } from '../../helpers/scripted-server.js';

const SSE = [
  '{"choices":[{"index":0,"delta":{"content":"a"}}]}',
  '{"choices":[{"index":0,"delta":{"content":"b"}}]}',
  '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
  '[DONE]',
].map((data) => `data: ${data}\n\n`).join('');

test('the record is finished only when the pacer grants a turn, with every stamp taken before it', async (t) => {
  const server = await startScriptedServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(SSE);
  });
  t.teardown(() => server.close());
  const agent = new Agent({ connections: 1 });
  t.teardown(() => agent.close());
  const watchdog = new Watchdog(10_000, 10_000, () => systemClock.nowMs());
  t.teardown(() => watchdog.stop());

  // The first turn (the send) is free; the second (bookkeeping) is held until the test grants it.
  const turns: string[] = [];
  let grant: (() => void) | undefined;
  let grantedAtMs = Number.NaN;
  const pacer = {
    turn() {
      turns.push(turns.length === 0 ? 'send' : 'bookkeeping');
      if (turns.length === 1) return undefined;
      return new Promise<void>((resolve) => (grant = resolve));
    },
  } as unknown as DispatchPacer;

  const context = { adapter: adapterFor('openai'), dispatcher: agent, origin: server.url, clock: systemClock, watchdog, runId: 'run', workerIndex: 0, networkRttMs: 0, basePath: '', pacer };
  let finished = false;
  const pending = executeRequest(
    context,
    { requestId: 'r1', model: 'm', prompt: 'p', promptTokens: 1, maxTokens: 2, stream: true, api: 'chat' },
    { tIntended: systemClock.nowMs(), stage: 'main', stageIndex: 0, warmup: false },
    new AbortController().signal,
  ).then((record) => {
    finished = true;
    return record;
  });
  while (!grant && !finished) await new Promise((resolve) => setImmediate(resolve)); // the exchange ends, bookkeeping waits
  t.false(finished, 'the record waits for its turn');
  grantedAtMs = systemClock.nowMs();
  grant!();
  const record = await pending;
  t.deepEqual(turns, ['send', 'bookkeeping']);
  t.is(record.status, 'ok');
  t.is(record.output_tokens, 2);
  t.is(record.chunks.length, 2);
  for (const stamp of ['t_send', 't_headers', 't_first_token', 't_last_token', 't_done'] as const) {
    t.true(record[stamp]! <= grantedAtMs, `${stamp} was taken before the bookkeeping turn`);
  }
});
