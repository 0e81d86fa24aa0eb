/**
 * Fault injection over real sockets: each fault shows up on the wire the way the engine would show it, and
 * in the ground truth.
 */
import test from 'ava';
import { request } from 'undici';
import { get, ndjson, post, sseData, sseJson, startSim } from './sim-client.js';

const STREAM = { prompt: 'a b c', max_tokens: 10, ignore_eos: true, stream: true };

test('error status: the engine error body and status, recorded with the fault', async (t) => {
  const vllm = await startSim(t, { engine: 'vllm', faults: { errorRate: 1, errorStatus: 503 } });
  const reply = await post(vllm.url, '/v1/completions', STREAM);
  t.is(reply.status, 503);
  t.like(JSON.parse(reply.text).error, { type: 'ServiceUnavailableError', code: 503 });
  t.like(vllm.groundTruth()[0], { status: 503, faults: ['error_status'], output_tokens: 0, first_token_ms: null });

  const tgi = await startSim(t, { engine: 'tgi', faults: { errorRate: 1, errorStatus: 429 } });
  const overloaded = await post(tgi.url, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 3 } });
  t.is(overloaded.status, 429);
  t.is(JSON.parse(overloaded.text).error_type, 'overloaded');

  const ollama = await startSim(t, { engine: 'ollama', faults: { errorRate: 1 } });
  const failed = await post(ollama.url, '/api/generate', { model: 'sim', prompt: 'x' });
  t.is(failed.status, 500);
  t.deepEqual(Object.keys(JSON.parse(failed.text)), ['error']);
});

test('disconnect: the socket dies mid-stream after k tokens; the client sees an error', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', faults: { disconnectRate: 1 } });
  const response = await request(`${sim.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STREAM) });
  t.is(response.statusCode, 200);
  await t.throwsAsync(response.body.text());
  let truth = sim.groundTruth();
  for (let i = 0; i < 100 && truth.length === 0; i++) truth = await new Promise((r) => setTimeout(() => r(sim.groundTruth()), 5));
  const record = truth[0]!;
  t.deepEqual(record.faults, ['disconnect']);
  t.true(record.output_tokens >= 1 && record.output_tokens <= 9);
  t.is(record.finish_reason, null);
  t.not(record.done_ms, null);
});

test('malformed: one event is not JSON; the stream still ends normally', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', faults: { malformedRate: 1 } });
  const data = sseData((await post(sim.url, '/v1/completions', STREAM)).text);
  t.is(data.at(-1), '[DONE]');
  const broken = data.filter((d) => d !== '[DONE]' && !isJson(d));
  t.is(broken.length, 1);
  t.is(data.length, 10 + 1 + 1);
  t.deepEqual(sim.groundTruth()[0]!.faults, ['malformed']);
});

test('mid-stream error: the engine error event after a 200, in each dialect', async (t) => {
  const vllm = await startSim(t, { engine: 'vllm', faults: { midStreamErrorRate: 1 } });
  const reply = await post(vllm.url, '/v1/completions', STREAM);
  t.is(reply.status, 200);
  const data = sseData(reply.text);
  t.is(data.at(-1), '[DONE]');
  t.truthy(JSON.parse(data.at(-2)!).error.message);
  t.true(data.length < 12);

  const tgi = await startSim(t, { engine: 'tgi', faults: { midStreamErrorRate: 1 } });
  const events = sseJson((await post(tgi.url, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 10 } })).text);
  t.like(events.at(-1), { error_type: 'generation' });

  const ollama = await startSim(t, { engine: 'ollama', faults: { midStreamErrorRate: 1 } });
  const lines = ndjson((await post(ollama.url, '/api/generate', { model: 'sim', prompt: 'x', options: { num_predict: 10 } })).text);
  t.deepEqual(Object.keys(lines.at(-1)!), ['error']);
  t.false(lines.some((l) => l.done === true));

  const llamacpp = await startSim(t, { engine: 'llamacpp', faults: { midStreamErrorRate: 1 } });
  const partials = sseJson((await post(llamacpp.url, '/completion', { prompt: 'x', n_predict: 10, stream: true })).text);
  t.like(partials.at(-1)!.error, { code: 500, type: 'server_error' });
});

test('stall: one gap of stallMs inside the stream (fixed mode, lower bounds only)', async (t) => {
  const sim = await startSim(t, { engine: 'tgi', fixed: { ttftMs: 5, itlMs: 2 }, faults: { stallRate: 1, stallMs: 150 } });
  const events = sseJson((await post(sim.url, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 6 } })).text);
  t.is(events.length, 6);
  const record = sim.groundTruth()[0]!;
  t.deepEqual(record.faults, ['stall']);
  // Writes are never early, so only bounds from the arrival are safe: ttft + 5 gaps + the stall.
  t.true(record.last_token_ms! - record.received_ms >= 5 + 5 * 2 + 150);
});

test('slow headers: nothing, not even the status line, before slowHeadersMs', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', fixed: { ttftMs: 1, itlMs: 1 }, faults: { slowHeadersMs: 120 } });
  const sentMs = performance.now();
  const response = await request(`${sim.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STREAM) });
  const headersMs = performance.now() - sentMs;
  await response.body.text();
  t.true(headersMs >= 120, `headers after ${headersMs} ms`);
  const record = sim.groundTruth()[0]!;
  t.true(record.first_token_ms! - record.received_ms >= 121);
  t.deepEqual(record.faults, ['slow_headers']);
});

test('a client that goes away mid-stream is recorded as client_closed and frees its slot', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', perf: { slots: 1, decodeStepBaseMs: 2 } });
  const controller = new AbortController();
  const response = await request(`${sim.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...STREAM, max_tokens: 5000 }),
    signal: controller.signal,
  });
  for await (const chunk of response.body) {
    if (String(chunk).includes('"text"')) break;
  }
  controller.abort();
  let truth = sim.groundTruth();
  for (let i = 0; i < 200 && truth.length === 0; i++) truth = await new Promise((r) => setTimeout(() => r(sim.groundTruth()), 5));
  t.true(truth[0]!.client_closed);
  t.true(truth[0]!.output_tokens < 5000);
  // The slot is free again: the next request is served at once.
  const next = await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 2 });
  t.is(next.status, 200);
  const metrics = (await get(sim.url, '/metrics')).text;
  t.regex(metrics, /vllm:request_success_total\{model_name="sim",engine="0",finished_reason="abort"\} 1\.0/);
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false; // not JSON is the answer, not an error
  }
}
