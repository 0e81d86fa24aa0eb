/**
 * The SGLang dialect over real sockets (engine-apis.md §5).
 */
import test from 'ava';
import { get, parseMetrics, post, sample, sseData, sseJson, startSim } from './sim-client.js';

test('native /generate stream: cumulative text, per-chunk output_ids, cumulative completion_tokens, e2e_latency in s, [DONE]', async (t) => {
  const sim = await startSim(t, { engine: 'sglang' });
  const reply = await post(sim.url, '/generate', { text: 'once upon a time', sampling_params: { max_new_tokens: 4, min_new_tokens: 4, ignore_eos: true }, stream: true });
  t.is(sseData(reply.text).at(-1), '[DONE]');
  const events = sseJson(reply.text);
  t.is(events.length, 4);
  t.deepEqual(Object.keys(events[0]!), ['text', 'output_ids', 'meta_info']);
  for (let i = 1; i < events.length; i++) t.true(events[i]!.text.startsWith(events[i - 1]!.text));
  t.true(events.every((e) => e.output_ids.length === 1));
  t.deepEqual(
    events.map((e) => e.meta_info.completion_tokens),
    [1, 2, 3, 4],
  );
  t.like(events[0]!.meta_info, { finish_reason: null, prompt_tokens: 4, cached_tokens: 0 });
  const last = events[3]!.meta_info;
  t.deepEqual(last.finish_reason, { type: 'length', length: 4 });
  const [truth] = sim.groundTruth();
  t.true(last.e2e_latency > 0 && last.e2e_latency * 1000 <= truth!.done_ms! - truth!.received_ms + 1);
});

test('native /generate non-stream, natural stop, validation error', async (t) => {
  const sim = await startSim(t, { engine: 'sglang', perf: { naturalLengthTokens: 3 } });
  const body = JSON.parse((await post(sim.url, '/generate', { text: 'x', sampling_params: { max_new_tokens: 10 } })).text);
  t.is(body.output_ids.length, 3);
  t.deepEqual(body.meta_info.finish_reason, { type: 'stop', matched: 2 });
  const bad = await post(sim.url, '/generate', { sampling_params: { max_new_tokens: 1 } });
  t.is(bad.status, 400);
  t.truthy(JSON.parse(bad.text).error.message);
});

test('/v1 endpoints follow vLLM (continuous usage) with the flat error body; info and metrics', async (t) => {
  const sim = await startSim(t, { engine: 'sglang' });
  const events = sseJson(
    (await post(sim.url, '/v1/completions', { model: 'sim', prompt: 'x', max_tokens: 3, ignore_eos: true, stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } })).text,
  );
  t.deepEqual(
    events.filter((e) => e.choices.length > 0).map((e) => e.usage.completion_tokens),
    [1, 2, 3],
  );
  const missing = await post(sim.url, '/v1/completions', { model: 'other', prompt: 'x' });
  t.like(JSON.parse(missing.text), { object: 'error', code: 404, type: 'NotFoundError' });
  t.like(JSON.parse((await get(sim.url, '/get_model_info')).text), { model_path: 'sim', is_generation: true });
  t.is((await get(sim.url, '/health')).status, 200);
  const text = (await get(sim.url, '/metrics')).text;
  const families = parseMetrics(text);
  for (const name of ['sglang:prompt_tokens_total', 'sglang:generation_tokens_total', 'sglang:num_running_reqs', 'sglang:num_queue_reqs', 'sglang:token_usage', 'sglang:time_to_first_token_seconds']) {
    t.true(families.has(name), name);
  }
  t.is(sample(text, 'sglang:generation_tokens_total', 'model_name="sim"'), 3);
});
