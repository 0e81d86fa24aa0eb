/**
 * The TGI dialect over real sockets (engine-apis.md §3).
 */
import test from 'ava';
import { get, parseMetrics, post, sample, sseData, sseJson, startSim } from './sim-client.js';

test('/generate_stream: one event per token, index from 1, the last carries generated_text and details, no [DONE]', async (t) => {
  const sim = await startSim(t, { engine: 'tgi' });
  const reply = await post(sim.url, '/generate_stream', { inputs: 'the sky is', parameters: { max_new_tokens: 4, details: true } });
  t.is(reply.status, 200);
  t.regex(reply.headers['content-type']!, /^text\/event-stream/);
  t.is(reply.headers['x-compute-type'], 'gpu+optimized');
  t.is(reply.headers['x-compute-characters'], '10');
  t.is(reply.headers['x-accel-buffering'], 'no');
  t.is(reply.headers['x-total-time'], undefined); // no timing headers on streams
  t.false(sseData(reply.text).includes('[DONE]'));
  const events = sseJson(reply.text);
  t.deepEqual(
    events.map((e) => e.index),
    [1, 2, 3, 4],
  );
  t.deepEqual(Object.keys(events[0]!), ['index', 'token', 'generated_text', 'details']);
  t.deepEqual(Object.keys(events[0]!.token), ['id', 'text', 'logprob', 'special']);
  t.true(events.slice(0, 3).every((e) => e.generated_text === null && e.details === null));
  const last = events[3]!;
  t.is(last.generated_text, events.map((e) => e.token.text).join('').trimStart());
  t.deepEqual(last.details, { finish_reason: 'length', generated_tokens: 4, seed: null, input_length: 3 });
});

test('/generate_stream without details: the last event has details null', async (t) => {
  const sim = await startSim(t, { engine: 'tgi', perf: { naturalLengthTokens: 3 } });
  const events = sseJson((await post(sim.url, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 10 } })).text);
  t.is(events.length, 3);
  t.is(events[2]!.details, null);
  t.is(typeof events[2]!.generated_text, 'string');
  // TGI has no exact-N control: the model stopped at EOS.
  const detailed = sseJson((await post(sim.url, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 10, details: true } })).text);
  t.is(detailed.at(-1)!.details.finish_reason, 'eos_token');
});

test('/generate: whole answer plus x-* timing headers in integer ms (x-compute-time in seconds)', async (t) => {
  const sim = await startSim(t, { engine: 'tgi', perf: { decodeStepBaseMs: 5 } });
  const reply = await post(sim.url, '/generate', { inputs: 'a b c', parameters: { max_new_tokens: 5, details: true } });
  t.is(reply.status, 200);
  const body = JSON.parse(reply.text);
  t.deepEqual(Object.keys(body), ['generated_text', 'details']);
  t.like(body.details, { finish_reason: 'length', generated_tokens: 5, seed: null, prefill: [] });
  t.is(body.details.tokens.length, 5);
  for (const header of ['x-total-time', 'x-validation-time', 'x-queue-time', 'x-inference-time', 'x-time-per-token']) {
    t.regex(reply.headers[header] ?? '', /^\d+$/, header);
  }
  t.is(reply.headers['x-prompt-tokens'], '3');
  t.is(reply.headers['x-generated-tokens'], '5');
  const computeS = Number(reply.headers['x-compute-time']);
  const totalMs = Number(reply.headers['x-total-time']);
  // Same duration in two units: seconds (float) and truncated milliseconds.
  t.true(computeS * 1000 >= totalMs && computeS * 1000 < totalMs + 1);
  t.true(totalMs >= Number(reply.headers['x-inference-time']));
  t.true(totalMs >= 4 * 5); // at least four 5 ms decode steps after the first token
});

test('422 validation errors and the compat route', async (t) => {
  const sim = await startSim(t, { engine: 'tgi', perf: { maxModelLen: 20, kvCacheTokens: 1000 } });
  const zero = await post(sim.url, '/generate', { inputs: 'x', parameters: { max_new_tokens: 0 } });
  t.is(zero.status, 422);
  t.deepEqual(JSON.parse(zero.text), { error: 'Input validation error: `max_new_tokens` must be strictly positive', error_type: 'validation' });
  const long = await post(sim.url, '/generate', { inputs: 'a b c d e', parameters: { max_new_tokens: 18 } });
  t.is(long.status, 422);
  t.regex(JSON.parse(long.text).error, /must be <= 20/);
  const streaming = await post(sim.url, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 2, decoder_input_details: true } });
  t.is(streaming.status, 422);
  const shape = await post(sim.url, '/generate', { prompt: 'x' });
  t.is(shape.status, 422);
  const compat = await post(sim.url, '/', { inputs: 'x', parameters: { max_new_tokens: 2 }, stream: true });
  t.is(sseJson(compat.text).length, 2);
});

test('429 overloaded beyond max concurrent requests', async (t) => {
  const sim = await startSim(t, { engine: 'tgi', perf: { maxInFlight: 1, decodeStepBaseMs: 5 } });
  const first = post(sim.url, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 30 } });
  // The first one is in the engine once its headers are out.
  let second = await post(sim.url, '/generate', { inputs: 'x', parameters: { max_new_tokens: 2 } });
  for (let i = 0; i < 50 && second.status === 200; i++) second = await post(sim.url, '/generate', { inputs: 'x', parameters: { max_new_tokens: 2 } });
  t.is(second.status, 429);
  t.deepEqual(JSON.parse(second.text), { error: 'Model is overloaded', error_type: 'overloaded' });
  t.is((await first).status, 200);
  const metrics = (await get(sim.url, '/metrics')).text;
  t.is(sample(metrics, 'tgi_request_failure', 'err="overloaded"'), 1);
});

test('/v1/chat/completions: role in every delta, finish on the last content chunk, usage chunk, [DONE]', async (t) => {
  const sim = await startSim(t, { engine: 'tgi' });
  const reply = await post(sim.url, '/v1/chat/completions', { model: 'tgi', messages: [{ role: 'user', content: 'hi there' }], max_tokens: 3, stream: true, stream_options: { include_usage: true } });
  const events = sseJson(reply.text);
  t.is(sseData(reply.text).at(-1), '[DONE]');
  t.is(events.length, 4);
  t.deepEqual(Object.keys(events[0]!), ['object', 'id', 'created', 'model', 'system_fingerprint', 'choices', 'usage']);
  t.like(events[0], { object: 'chat.completion.chunk', id: '', model: 'sim', usage: null });
  t.true(events.slice(0, 3).every((e) => e.choices[0].delta.role === 'assistant'));
  t.is(events[2]!.choices[0].finish_reason, 'length');
  t.deepEqual(events[3]!.choices, []);
  t.deepEqual(events[3]!.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  const unary = await post(sim.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
  t.is(JSON.parse(unary.text).usage.completion_tokens, 2);
  t.regex(unary.headers['x-total-time'] ?? '', /^\d+$/);
});

test('/info, /health, /v1/models, unknown path, /metrics with tgi_ names', async (t) => {
  const sim = await startSim(t, { engine: 'tgi', model: 'bigscience/bloom' });
  const info = JSON.parse((await get(sim.url, '/info')).text);
  t.like(info, { model_id: 'bigscience/bloom', max_concurrent_requests: 128, max_total_tokens: 4096, max_input_tokens: 4095 });
  t.is((await get(sim.url, '/health')).status, 200);
  t.like(JSON.parse((await get(sim.url, '/v1/models')).text).data[0], { id: 'bigscience/bloom', object: 'model', created: 0, owned_by: 'bigscience/bloom' });
  const unknown = await get(sim.url, '/nope');
  t.is(unknown.status, 404);
  t.is(unknown.text, '');
  await post(sim.url, '/generate', { inputs: 'a b c', parameters: { max_new_tokens: 4 } });
  const text = (await get(sim.url, '/metrics')).text;
  const families = parseMetrics(text);
  for (const name of ['tgi_request_count', 'tgi_request_success', 'tgi_queue_size', 'tgi_batch_current_size', 'tgi_request_duration', 'tgi_request_queue_duration', 'tgi_request_inference_duration', 'tgi_request_input_length', 'tgi_request_generated_tokens']) {
    t.true(families.has(name), name);
  }
  t.false(text.includes('# HELP'));
  t.is(sample(text, 'tgi_request_count'), 1);
  t.is(sample(text, 'tgi_request_success'), 1);
  t.is(sample(text, 'tgi_request_generated_tokens_sum'), 4);
  t.is(sample(text, 'tgi_request_input_length_count'), 1);
});
