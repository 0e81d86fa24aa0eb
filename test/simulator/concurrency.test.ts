/**
 * The simulator holds a thousand concurrent streams (fixed mode, short streams) and every one completes,
 * with one ground-truth record each. Client and server share this process, so this is a capacity check,
 * not a timing one: only lower bounds that hold by construction are asserted.
 */
import test from 'ava';
import { request } from 'undici';
import { manyConnections, sseData, startSim } from './sim-client.js';

const STREAMS = 1000;
const TOKENS = 5;

test(`${STREAMS} concurrent streams in fixed mode all complete`, async (t) => {
  t.timeout(60_000);
  const ttftMs = 200;
  const itlMs = 20;
  const sim = await startSim(t, { engine: 'vllm', fixed: { ttftMs, itlMs } });
  const dispatcher = manyConnections(STREAMS);
  t.teardown(() => dispatcher.close());
  const body = JSON.stringify({ prompt: 'x y z', max_tokens: TOKENS, ignore_eos: true, stream: true });
  const replies = await Promise.all(
    Array.from({ length: STREAMS }, async (_, i) => {
      const response = await request(`${sim.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': `c-${i}` },
        body,
        dispatcher,
      });
      return { status: response.statusCode, text: await response.body.text() };
    }),
  );
  t.true(replies.every((r) => r.status === 200));
  t.true(replies.every((r) => sseData(r.text).length === TOKENS + 1 && r.text.endsWith('data: [DONE]\n\n')));
  const truth = sim.groundTruth();
  t.is(truth.length, STREAMS);
  t.is(new Set(truth.map((r) => r.request_id)).size, STREAMS);
  t.true(truth.every((r) => r.chunks === TOKENS && r.output_tokens === TOKENS && r.status === 200 && !r.client_closed));
  // Never early: each token is written at or after its absolute deadline from the request's arrival.
  t.true(truth.every((r) => r.first_token_ms! - r.received_ms >= ttftMs && r.last_token_ms! - r.received_ms >= ttftMs + (TOKENS - 1) * itlMs));
});
