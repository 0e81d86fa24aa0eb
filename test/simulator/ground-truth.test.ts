/**
 * Ground truth over HTTP (/__sim/requests) and through the API, and fixed-latency timing semantics.
 */
import test from 'ava';
import { get, post, sseJson, startSim } from './sim-client.js';

test('GET /__sim/requests lists completed requests; ?since= filters by completion; DELETE clears', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp' });
  await post(sim.url, '/completion', { prompt: 'a b', n_predict: 2, stream: true }, { 'x-request-id': 'r1' });
  const all = JSON.parse((await get(sim.url, '/__sim/requests')).text);
  t.is(all.length, 1);
  t.deepEqual(Object.keys(all[0]), [
    'request_id',
    'engine',
    'path',
    'model',
    'stream',
    'received_ms',
    'first_token_ms',
    'last_token_ms',
    'done_ms',
    'prompt_tokens',
    'output_tokens',
    'chunks',
    'status',
    'finish_reason',
    'faults',
    'client_closed',
  ]);
  t.like(all[0], { request_id: 'r1', engine: 'llamacpp', path: '/completion', stream: true, prompt_tokens: 2, output_tokens: 2, chunks: 2, status: 200 });
  const cut = all[0].done_ms;
  await post(sim.url, '/completion', { prompt: 'a', n_predict: 1 }, { 'x-request-id': 'r2' });
  const since = JSON.parse((await get(sim.url, `/__sim/requests?since=${cut}`)).text);
  t.deepEqual(
    since.map((r: { request_id: string }) => r.request_id),
    ['r2'],
  );
  t.is((await get(sim.url, '/__sim/requests?since=yesterday')).status, 400);
  // Health and metrics requests are not generation requests: not in the ground truth.
  await get(sim.url, '/health');
  t.is(sim.groundTruth().length, 2);
  t.deepEqual(JSON.parse((await get(sim.url, '/__sim/requests', 'DELETE')).text), { cleared: 2 });
  t.deepEqual(JSON.parse((await get(sim.url, '/__sim/requests')).text), []);
  const state = JSON.parse((await get(sim.url, '/__sim/state')).text);
  t.like(state, { engine: 'llamacpp', model: 'sim', in_flight: 0 });
});

test('stamps are ordered: received ≤ first token ≤ last token ≤ done; one chunk per token in fixed mode', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', fixed: { ttftMs: 30, itlMs: 10 } });
  const events = sseJson((await post(sim.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }], max_tokens: 6, stream: true })).text);
  t.is(events.length, 1 + 6); // role chunk + one token per chunk
  const r = sim.groundTruth()[0]!;
  t.true(r.received_ms <= r.first_token_ms! && r.first_token_ms! <= r.last_token_ms! && r.last_token_ms! <= r.done_ms!);
  t.is(r.chunks, 6);
  // Fixed mode never writes early: deadlines are absolute from arrival.
  t.true(r.first_token_ms! - r.received_ms >= 30);
  t.true(r.last_token_ms! - r.received_ms >= 30 + 5 * 10);
});

test('non-stream answers: all tokens land in one write', async (t) => {
  const sim = await startSim(t, { engine: 'tgi' });
  await post(sim.url, '/generate', { inputs: 'x', parameters: { max_new_tokens: 4 } });
  const r = sim.groundTruth()[0]!;
  t.like(r, { stream: false, chunks: 1, output_tokens: 4 });
  t.is(r.first_token_ms, r.last_token_ms);
});
