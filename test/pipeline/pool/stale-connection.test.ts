/**
 * A server that closes every connection right after answering while saying keep-alive (as llama-server does
 * after a stream): the next request on that socket fails before any answer, and is sent once more.
 */
import test from 'ava';
import { startScriptedServer } from '../../helpers/scripted-server.js';
import { requestContext, sendChat, TWO_TOKEN_SSE } from './one-request.js';

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
    response.end(TWO_TOKEN_SSE);
  });
  t.teardown(() => server.close());
  const context = requestContext(t, server.url);
  let retried = 0;
  for (let i = 0; i < 6; i++) {
    const { record } = await sendChat(context, `r${i}`);
    t.is(record.status, 'ok', `${record.request_id}: ${record.error_kind} ${record.error_message}`);
    t.is(record.output_tokens, 2);
    retried += record.transport_retries ?? 0;
  }
  // Every request after the first met a used connection, was refused unanswered, and went again on a new one.
  t.is(retried, 5);
});
