/**
 * The llama.cpp dialect over real sockets (engine-apis.md §4).
 */
import test from 'ava';
import { get, parseMetrics, post, sample, sseData, sseJson, startSim } from './sim-client.js';

test('/completion stream: partials with tokens_predicted, final stop:true event with timings in ms, no [DONE]', async (t) => {
  // Fixed 20 ms between tokens: long enough that a duration in seconds or microseconds cannot pass for ms.
  const sim = await startSim(t, { engine: 'llamacpp', fixed: { ttftMs: 5, itlMs: 20 } });
  const reply = await post(sim.url, '/completion', { prompt: 'once upon a time', n_predict: 5, ignore_eos: true, stream: true, return_tokens: true, cache_prompt: false });
  t.is(reply.status, 200);
  t.regex(reply.headers['content-type']!, /^text\/event-stream/);
  t.false(sseData(reply.text).includes('[DONE]'));
  const events = sseJson(reply.text);
  t.is(events.length, 6);
  const partials = events.slice(0, 5);
  t.deepEqual(Object.keys(partials[0]!), ['index', 'content', 'tokens', 'stop', 'id_slot', 'tokens_predicted', 'tokens_evaluated']);
  t.deepEqual(
    partials.map((e) => e.tokens_predicted),
    [1, 2, 3, 4, 5],
  );
  t.true(partials.every((e) => e.stop === false && e.tokens.length === 1 && e.tokens_evaluated === 4 && e.id_slot === -1));
  const final = events[5]!;
  t.deepEqual(Object.keys(final), [
    'index',
    'content',
    'tokens',
    'id_slot',
    'stop',
    'model',
    'tokens_predicted',
    'tokens_evaluated',
    'generation_settings',
    'prompt',
    'has_new_line',
    'truncated',
    'stop_type',
    'stopping_word',
    'tokens_cached',
    'timings',
  ]);
  t.like(final, { content: '', stop: true, model: 'sim', tokens_predicted: 5, tokens_evaluated: 4, stop_type: 'limit', tokens_cached: 8, id_slot: 0 });
  t.deepEqual(Object.keys(final.timings), [
    'cache_n',
    'prompt_n',
    'prompt_ms',
    'prompt_per_token_ms',
    'prompt_per_second',
    'predicted_n',
    'predicted_ms',
    'predicted_per_token_ms',
    'predicted_per_second',
  ]);
  const timings = final.timings;
  t.like(timings, { cache_n: 0, prompt_n: 4, predicted_n: 5 });
  // Units: ms for durations, tokens/s for rates; decode rates over N − 1 steps, as the recorded build does.
  t.true(Math.abs(timings.predicted_per_second - (1000 * 4) / timings.predicted_ms) < 1e-6);
  t.true(Math.abs(timings.predicted_per_token_ms - timings.predicted_ms / 4) < 1e-9);
  t.true(Math.abs(timings.prompt_per_token_ms - timings.prompt_ms / 4) < 1e-9);
  // Milliseconds, checked against the ground truth's own first-to-last interval. The two are stamped at
  // different moments (when each token is produced; after its write), and on a loaded machine the first
  // write, which also sends the headers on a cold path, can trail its token by a few ms more than the last
  // one does. So the check allows for that, while seconds or microseconds (1 000× off) still fail it.
  const [truth] = sim.groundTruth();
  const wireIntervalMs = truth!.last_token_ms! - truth!.first_token_ms!;
  t.true(wireIntervalMs >= 40, `5 tokens 20 ms apart span about 80 ms: ${wireIntervalMs} ms`);
  t.true(Math.abs(timings.predicted_ms - wireIntervalMs) <= Math.max(5, wireIntervalMs / 2), `predicted_ms ${timings.predicted_ms} vs ${wireIntervalMs}`);
});

test('/completion: n_predict + ignore_eos gives exactly N; without ignore_eos the model may stop (stop_type eos)', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp', perf: { naturalLengthTokens: 4 } });
  const exact = JSON.parse((await post(sim.url, '/completion', { prompt: 'x', n_predict: 9, ignore_eos: true })).text);
  t.like(exact, { tokens_predicted: 9, stop_type: 'limit', stop: true });
  t.is(exact.content.trim().split(' ').length, 9);
  const early = JSON.parse((await post(sim.url, '/completion', { prompt: 'x', n_predict: 9 })).text);
  t.like(early, { tokens_predicted: 4, stop_type: 'eos' });
});

test('/v1/chat/completions: role chunk with content null, delta:{} finish chunk, usage chunk with timings, [DONE]', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp' });
  const reply = await post(sim.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hello' }], max_tokens: 3, stream: true, stream_options: { include_usage: true } });
  const events = sseJson(reply.text);
  t.is(sseData(reply.text).at(-1), '[DONE]');
  t.is(events.length, 6);
  t.deepEqual(Object.keys(events[0]!), ['choices', 'created', 'id', 'model', 'system_fingerprint', 'object']);
  t.deepEqual(events[0]!.choices[0], { finish_reason: null, index: 0, delta: { role: 'assistant', content: null } });
  t.true(events.slice(1, 4).every((e) => typeof e.choices[0].delta.content === 'string'));
  t.deepEqual(events[4]!.choices[0], { finish_reason: 'length', index: 0, delta: {} });
  t.false('timings' in events[4]!);
  const usage = events[5]!;
  t.deepEqual(usage.choices, []);
  t.deepEqual(usage.usage, { completion_tokens: 3, prompt_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0 } });
  t.is(usage.timings.predicted_n, 3);
  // Without include_usage the timings ride on the finish chunk.
  const plain = sseJson((await post(sim.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hello' }], max_tokens: 2, stream: true })).text);
  t.is(plain.at(-1)!.choices[0].finish_reason, 'length');
  t.is(plain.at(-1)!.timings.predicted_n, 2);
  t.like(sim.groundTruth()[0], { chunks: 3, output_tokens: 3 });
});

test('/v1/completions stream ends with usage + timings and [DONE]; non-stream answers carry both', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp' });
  const events = sseJson((await post(sim.url, '/v1/completions', { prompt: 'a b', max_tokens: 2, stream: true })).text);
  t.deepEqual(Object.keys(events[0]!), ['choices', 'created', 'model', 'system_fingerprint', 'object', 'id']);
  const last = events.at(-1)!;
  t.is(last.choices[0].finish_reason, 'length');
  t.deepEqual(Object.keys(last), ['choices', 'created', 'model', 'system_fingerprint', 'object', 'usage', 'id', 'timings']);
  const chat = JSON.parse((await post(sim.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }], max_tokens: 2 })).text);
  t.like(chat, { object: 'chat.completion', usage: { completion_tokens: 2 } });
  t.is(chat.timings.predicted_n, 2);
});

test('errors: context overflow is exceed_context_size_error with counts; unknown path 404 JSON', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp', perf: { maxModelLen: 8, kvCacheTokens: 64 } });
  const overflow = await post(sim.url, '/completion', { prompt: 'a b c d e f g h i j', n_predict: 2 });
  t.is(overflow.status, 400);
  t.deepEqual(JSON.parse(overflow.text), {
    error: { code: 400, message: 'request (10 tokens) exceeds the available context size (8 tokens), try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 10, n_ctx: 8 },
  });
  const unknown = await get(sim.url, '/api/generate');
  t.is(unknown.status, 404);
  t.like(JSON.parse(unknown.text).error, { code: 404, type: 'not_found_error' });
});

test('/health, /props, /slots, /v1/models, /metrics with llamacpp: names', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp', model: 'llmbench-tiny', perf: { slots: 3 } });
  t.deepEqual(JSON.parse((await get(sim.url, '/health')).text), { status: 'ok' });
  const props = JSON.parse((await get(sim.url, '/props')).text);
  t.like(props, { total_slots: 3, model_alias: 'llmbench-tiny' });
  t.is(props.default_generation_settings.n_ctx, 4096);
  const slots = JSON.parse((await get(sim.url, '/slots')).text);
  t.is(slots.length, 3);
  // A slot that never ran a task shows four keys only (a used one adds its last task).
  t.deepEqual(slots[0], { id: 0, n_ctx: 4096, speculative: false, is_processing: false });
  const models = JSON.parse((await get(sim.url, '/v1/models')).text);
  t.like(models.data[0], { id: 'llmbench-tiny', object: 'model', owned_by: 'llamacpp' });
  await post(sim.url, '/completion', { prompt: 'a b c', n_predict: 4, ignore_eos: true });
  const used = JSON.parse((await get(sim.url, '/slots')).text)[0];
  t.like(used, { id: 0, is_processing: false, id_task: 0, n_prompt_tokens: 3, params: { n_predict: 4, ignore_eos: true } });
  t.deepEqual(used.next_token, [{ has_next_token: false, has_new_line: false, n_remain: -1, n_decoded: 0 }]);
  const text = (await get(sim.url, '/metrics')).text;
  const families = parseMetrics(text);
  for (const name of ['llamacpp:prompt_tokens_total', 'llamacpp:tokens_predicted_total', 'llamacpp:requests_processing', 'llamacpp:requests_deferred', 'llamacpp:n_decode_total', 'llamacpp:predicted_tokens_seconds']) {
    t.true(families.has(name), name);
  }
  t.is(sample(text, 'llamacpp:prompt_tokens_total'), 3);
  t.is(sample(text, 'llamacpp:tokens_predicted_total'), 4);
  t.is(sample(text, 'llamacpp:n_decode_total'), 4);
  t.is(sample(text, 'llamacpp:requests_processing'), 0);
});

test('/slots shows a busy slot while a request runs; fail_on_no_slot answers 503 when all are busy', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp', perf: { slots: 1, decodeStepBaseMs: 5 } });
  let finished = false;
  const running = post(sim.url, '/completion', { prompt: 'x', n_predict: 100, ignore_eos: true, stream: true }).finally(() => (finished = true));
  let busy: Array<Record<string, any>> = [];
  while (!finished && !busy[0]?.is_processing) busy = JSON.parse((await get(sim.url, '/slots')).text);
  t.true(busy[0]!.is_processing);
  t.true(busy[0]!.next_token[0].n_decoded >= 0);
  t.is((await get(sim.url, '/slots?fail_on_no_slot=1')).status, 503);
  await running;
});

test('/v1 timings_per_token: running timings on every content chunk, not on the role chunk; n_predict 0 still samples one token', async (t) => {
  const sim = await startSim(t, { engine: 'llamacpp' });
  const events = sseJson((await post(sim.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true, timings_per_token: true })).text);
  t.false('timings' in events[0]!);
  t.deepEqual(
    events.slice(1, 4).map((e) => e.timings.predicted_n),
    [1, 2, 3],
  );
  // One token has no decode interval: the server writes 0 for its rates.
  t.like(events[1]!.timings, { predicted_per_token_ms: 0, predicted_per_second: 0 });
  const zero = JSON.parse((await post(sim.url, '/completion', { prompt: 'x', n_predict: 0 })).text);
  t.like(zero, { tokens_predicted: 1, stop_type: 'limit', generation_settings: { n_predict: 0 } });
});
