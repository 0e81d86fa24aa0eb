/**
 * When many streams end together, a record's bookkeeping (metrics, chunk log) waits for a turn of the pacer,
 * like a send does, so sockets are read in between. The stamps must all be taken before that wait.
 */
import test from 'ava';
import { systemClock } from '../../../pipeline/core/clock.js';
import type { DispatchPacer } from '../../../pipeline/pool/dispatch-pacer.js';
import { startScriptedServer } from '../../helpers/scripted-server.js';
import { requestContext, sendChat, TWO_TOKEN_SSE } from './one-request.js';

test('the record is finished only when the pacer grants a turn, with every stamp taken before it', async (t) => {
  const server = await startScriptedServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(TWO_TOKEN_SSE);
  });
  t.teardown(() => server.close());
  // The send's turn is taken by the caller before the request is built (stream-worker.ts); executeRequest asks
  // for one turn only, the bookkeeping's, and the test holds it until it grants it.
  let turns = 0;
  let grant: (() => void) | undefined;
  let grantedAtMs = Number.NaN;
  const pacer = {
    turn() {
      turns++;
      return new Promise<void>((resolve) => (grant = resolve));
    },
  } as unknown as DispatchPacer;

  const context = requestContext(t, server.url, pacer);
  let finished = false;
  const pending = sendChat(context, 'r1').then((result) => {
    finished = true;
    return result;
  });
  while (!grant && !finished) await new Promise((resolve) => setImmediate(resolve)); // the exchange ends, bookkeeping waits
  t.false(finished, 'the record waits for its turn');
  grantedAtMs = systemClock.nowMs();
  grant!();
  const { record, chunkLog } = await pending;
  t.is(turns, 1);
  t.is(record.status, 'ok');
  t.is(record.output_tokens, 2);
  // Two content chunks of one token each, packed as (offset, tokens) pairs; the record's form comes later.
  t.is(chunkLog.length, 4);
  t.deepEqual([chunkLog[1], chunkLog[3]], [1, 1]);
  t.deepEqual(record.chunks, []);
  for (const stamp of ['t_send', 't_headers', 't_first_token', 't_last_token', 't_done'] as const) {
    t.true(record[stamp]! <= grantedAtMs, `${stamp} was taken before the bookkeeping turn`);
  }
});
