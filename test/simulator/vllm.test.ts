/**
 * vLLM and the generic OpenAI dialect over real sockets (engine-apis.md §2).
 */
import test from 'ava';
import { get, parseMetrics, post, sample, sseData, sseJson, startSim } from './sim-client.js';

const STREAM_USAGE = { include_usage: true, continuous_usage_stats: true };

test('completions stream: one token per chunk, cumulative usage, usage chunk with empty choices, [DONE]', async (t) => {
  const sim = await startSim(t, { engine: 'vllm' });
  const reply = await post(sim.url, '/v1/completions', { model: 'sim', prompt: 'one two three four', max_tokens: 5, min_tokens: 5, ignore_eos: true, stream: true, stream_options: STREAM_USAGE });
  t.is(reply.status, 200);
  t.regex(reply.headers['content-type']!, /^text\/event-stream/);
  const data = sseData(reply.text);
  t.is(data.at(-1), '[DONE]');
  const events = sseJson(reply.text);
  const content = events.filter((e) => e.choices.length > 0);
  t.is(content.length, 5);
  t.deepEqual(Object.keys(content[0]!), ['id', 'object', 'created', 'model', 'choices', 'usage']);
  t.deepEqual(Object.keys(content[0]!.choices[0]), ['index', 'text', 'logprobs', 'finish_reason', 'stop_reason', 'prompt_token_ids', 'token_ids']);
  t.is(content[0]!.object, 'text_completion');
  t.regex(content[0]!.id, /^cmpl-[0-9a-f]{32}$/);
  t.deepEqual(
    content.map((e) => e.usage.completion_tokens),
    [1, 2, 3, 4, 5],
  );
  t.deepEqual(content[2]!.usage, { prompt_tokens: 4, total_tokens: 7, completion_tokens: 3 });
  t.deepEqual(
    content.map((e) => e.choices[0].finish_reason),
    [null, null, null, null, 'length'],
  );
  const usage = events.at(-1)!;
  t.deepEqual(usage.choices, []);
  t.deepEqual(usage.usage, { prompt_tokens: 4, total_tokens: 9, completion_tokens: 5 });
});

test('usage only with include_usage; continuous usage needs both flags', async (t) => {
  const sim = await startSim(t, { engine: 'vllm' });
  const plain = sseJson((await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 3, stream: true })).text);
  t.is(plain.length, 3);
  t.true(plain.every((e) => !('usage' in e)));
  const onlyContinuous = sseJson((await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 3, stream: true, stream_options: { continuous_usage_stats: true } })).text);
  t.true(onlyContinuous.every((e) => !('usage' in e)));
  const finalOnly = sseJson((await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 3, stream: true, stream_options: { include_usage: true } })).text);
  t.is(finalOnly.length, 4);
  t.true(finalOnly.slice(0, 3).every((e) => !('usage' in e)));
  t.deepEqual(finalOnly[3]!.choices, []);
});

test('chat stream: role chunk with empty content first, then content, finish on the last content chunk', async (t) => {
  const sim = await startSim(t, { engine: 'vllm' });
  const reply = await post(sim.url, '/v1/chat/completions', {
    model: 'sim',
    messages: [{ role: 'user', content: 'say three words' }],
    max_tokens: 3,
    ignore_eos: true,
    stream: true,
    stream_options: STREAM_USAGE,
  });
  const events = sseJson(reply.text);
  t.deepEqual(events[0]!.choices[0].delta, { role: 'assistant', content: '' });
  t.deepEqual(events[0]!.usage, { prompt_tokens: 3, total_tokens: 3, completion_tokens: 0 });
  t.is(events[0]!.object, 'chat.completion.chunk');
  t.regex(events[0]!.id, /^chatcmpl-/);
  const content = events.slice(1, 4);
  t.true(content.every((e) => typeof e.choices[0].delta.content === 'string' && e.choices[0].delta.content.length > 0 && !('role' in e.choices[0].delta)));
  t.deepEqual(Object.keys(content[2]!.choices[0]), ['index', 'delta', 'logprobs', 'finish_reason', 'stop_reason']);
  t.is(content[2]!.choices[0].finish_reason, 'length');
  t.deepEqual(events[4]!.choices, []);
  t.is(events[4]!.usage.completion_tokens, 3);
  t.is(sseData(reply.text).at(-1), '[DONE]');
  // The role chunk is not a token: ground truth counts three content chunks.
  const [truth] = sim.groundTruth();
  t.like(truth, { chunks: 3, output_tokens: 3, prompt_tokens: 3, stream: true, status: 200, finish_reason: 'length' });
});

test('multi-token chunks: first token alone, then K per chunk; continuous usage counts them', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', perf: { tokensPerChunk: 4 } });
  const events = sseJson((await post(sim.url, '/v1/completions', { prompt: 'x y', max_tokens: 10, ignore_eos: true, stream: true, stream_options: STREAM_USAGE })).text);
  const counts = events.filter((e) => e.choices.length > 0).map((e) => e.usage.completion_tokens);
  t.deepEqual(counts, [1, 5, 9, 10]);
  const [truth] = sim.groundTruth();
  t.like(truth, { chunks: 4, output_tokens: 10 });
  // vLLM's per-request stream_interval overrides the server knob.
  const perRequest = sseJson((await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 5, ignore_eos: true, stream: true, stream_interval: 2 })).text);
  t.is(perRequest.length, 3);
});

test('exact N: max_tokens with ignore_eos or min_tokens; without them the model may stop early', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', perf: { naturalLengthTokens: 7 } });
  const count = async (body: Record<string, unknown>) => {
    const reply = JSON.parse((await post(sim.url, '/v1/completions', { prompt: 'x', ...body })).text);
    return [reply.usage.completion_tokens, reply.choices[0].finish_reason];
  };
  t.deepEqual(await count({ max_tokens: 20, ignore_eos: true }), [20, 'length']);
  t.deepEqual(await count({ max_tokens: 20, min_tokens: 20 }), [20, 'length']);
  t.deepEqual(await count({ max_tokens: 20 }), [7, 'stop']);
  t.deepEqual(await count({ max_tokens: 5 }), [5, 'length']);
  t.deepEqual(await count({}), [7, 'stop']); // completions default max_tokens is 16
});

test('non-stream responses carry usage (and per-request metrics when enabled)', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', perRequestMetrics: true });
  const completion = JSON.parse((await post(sim.url, '/v1/completions', { prompt: 'a b c', max_tokens: 4, ignore_eos: true })).text);
  t.deepEqual(Object.keys(completion), ['id', 'object', 'created', 'model', 'choices', 'usage', 'metrics']);
  t.is(completion.choices[0].text.trim().split(' ').length, 4);
  t.deepEqual(completion.usage, { prompt_tokens: 3, total_tokens: 7, completion_tokens: 4, prompt_tokens_details: null });
  t.deepEqual(Object.keys(completion.metrics), ['queue_time_ms', 'time_to_first_token_ms', 'generation_time_ms', 'mean_itl_ms', 'tokens_per_second']);
  t.true(completion.metrics.generation_time_ms >= 0);
  const chat = JSON.parse((await post(sim.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, ignore_eos: true })).text);
  t.is(chat.object, 'chat.completion');
  t.is(chat.choices[0].message.role, 'assistant');
  t.is(chat.usage.completion_tokens, 2);
  const stream = sseJson((await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 3, stream: true, stream_options: { include_usage: true } })).text);
  t.deepEqual(Object.keys(stream.at(-1)!), ['id', 'object', 'created', 'model', 'choices', 'usage', 'metrics']);
});

test('errors: unknown model 404 nested body, context overflow 400, stream_options without stream 400, bad JSON 400', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', perf: { maxModelLen: 50, kvCacheTokens: 1000 } });
  const notFound = await post(sim.url, '/v1/completions', { model: 'gpt-x', prompt: 'x' });
  t.is(notFound.status, 404);
  t.deepEqual(JSON.parse(notFound.text), { error: { message: 'The model `gpt-x` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } });
  const overflow = await post(sim.url, '/v1/completions', { prompt: 'x y z', max_tokens: 60 });
  t.is(overflow.status, 400);
  t.is(JSON.parse(overflow.text).error.type, 'BadRequestError');
  t.regex(JSON.parse(overflow.text).error.message, /maximum context length is 50 tokens/);
  const options = await post(sim.url, '/v1/completions', { prompt: 'x', stream_options: { include_usage: true } });
  t.is(options.status, 400);
  const bad = await post(sim.url, '/v1/completions', '{"prompt": ');
  t.is(bad.status, 400);
  const unknownPath = await get(sim.url, '/v2/whatever');
  t.is(unknownPath.status, 404);
  t.deepEqual(JSON.parse(unknownPath.text), { detail: 'Not Found' });
  // Failed generation requests are in the ground truth with their status.
  t.deepEqual(
    sim.groundTruth().map((r) => r.status),
    [404, 400, 400, 400],
  );
});

test('health, version, model list', async (t) => {
  const sim = await startSim(t, { engine: 'vllm', model: 'meta-llama/Llama-3.1-8B' });
  const health = await get(sim.url, '/health');
  t.is(health.status, 200);
  t.is(health.text, '');
  t.is(JSON.parse((await get(sim.url, '/version')).text).version.length > 0, true);
  const models = JSON.parse((await get(sim.url, '/v1/models')).text);
  t.is(models.object, 'list');
  t.like(models.data[0], { id: 'meta-llama/Llama-3.1-8B', object: 'model', owned_by: 'vllm', root: 'meta-llama/Llama-3.1-8B', max_model_len: 8192 });
});

test('metrics: vllm: names with model_name labels, live values that match what was served', async (t) => {
  const sim = await startSim(t, { engine: 'vllm' });
  await post(sim.url, '/v1/completions', { prompt: 'a b c d', max_tokens: 6, ignore_eos: true });
  await post(sim.url, '/v1/completions', { prompt: 'a b', max_tokens: 4, ignore_eos: true, stream: true });
  const reply = await get(sim.url, '/metrics');
  t.regex(reply.headers['content-type']!, /^text\/plain; version=0.0.4/);
  const families = parseMetrics(reply.text);
  for (const name of [
    'vllm:num_requests_running',
    'vllm:num_requests_waiting',
    'vllm:kv_cache_usage_perc',
    'vllm:prompt_tokens_total',
    'vllm:generation_tokens_total',
    'vllm:request_success_total',
    'vllm:time_to_first_token_seconds',
    'vllm:inter_token_latency_seconds',
    'vllm:e2e_request_latency_seconds',
    'vllm:request_queue_time_seconds',
    'vllm:request_prefill_time_seconds',
    'vllm:request_decode_time_seconds',
  ]) {
    t.true(families.has(name), name);
  }
  const value = (name: string) => Number(families.get(name)!.metrics[0]!.value);
  t.is(value('vllm:prompt_tokens_total'), 6);
  t.is(value('vllm:generation_tokens_total'), 10);
  t.is(value('vllm:num_requests_running'), 0);
  t.deepEqual(families.get('vllm:prompt_tokens_total')!.metrics[0]!.labels, { model_name: 'sim', engine: '0' });
  const success = families.get('vllm:request_success_total')!.metrics.find((m) => m.labels?.finished_reason === 'length');
  t.is(Number(success!.value), 2);
  const labels = 'model_name="sim",engine="0"';
  t.is(sample(reply.text, 'vllm:time_to_first_token_seconds_count', labels), 2);
  t.is(sample(reply.text, 'vllm:time_to_first_token_seconds_bucket', `${labels},le="+Inf"`), 2);
  t.is(sample(reply.text, 'vllm:inter_token_latency_seconds_count', labels), 5 + 3);
  t.is(sample(reply.text, 'vllm:request_generation_tokens_sum', labels), 10);
});

test('metrics: running and waiting gauges are live during a run', async (t) => {
  // Two slots, five requests of about half a second each: all five are in the engine for a while.
  const sim = await startSim(t, { engine: 'vllm', perf: { slots: 2, maxBatchedTokens: 64, decodeStepBaseMs: 2 } });
  let finished = false;
  const streams = Promise.all(Array.from({ length: 5 }, () => post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 250, ignore_eos: true, stream: true }))).finally(
    () => (finished = true),
  );
  // Poll until the engine holds all five (two running, three waiting); no timing assumptions.
  let seen: [number, number] | undefined;
  while (!finished && !seen) {
    const families = parseMetrics((await get(sim.url, '/metrics')).text);
    const running = Number(families.get('vllm:num_requests_running')!.metrics[0]!.value);
    const waiting = Number(families.get('vllm:num_requests_waiting')!.metrics[0]!.value);
    if (running === 2 && waiting === 3) seen = [running, waiting];
  }
  t.deepEqual(seen, [2, 3]);
  await streams;
});

test('x-request-id: echoed, used in the completion id, keys the ground truth; generated when absent', async (t) => {
  const sim = await startSim(t, { engine: 'vllm' });
  const reply = await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 2, stream: true }, { 'x-request-id': 'bench-42' });
  t.is(reply.headers['x-request-id'], 'bench-42');
  t.is(sseJson(reply.text)[0]!.id, 'cmpl-bench-42');
  const anonymous = await post(sim.url, '/v1/completions', { prompt: 'x', max_tokens: 2 });
  const generated = anonymous.headers['x-request-id'];
  t.regex(generated ?? '', /^[0-9a-f]{32}$/);
  const ids = sim.groundTruth().map((r) => r.request_id);
  t.deepEqual(ids, ['bench-42', generated]);
});

test('openai flavour: OpenAI error bodies and no vLLM-only choice fields', async (t) => {
  const sim = await startSim(t, { engine: 'openai', model: 'gpt-sim' });
  const notFound = await post(sim.url, '/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] });
  t.is(notFound.status, 404);
  t.like(JSON.parse(notFound.text).error, { type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
  const events = sseJson((await post(sim.url, '/v1/completions', { model: 'gpt-sim', prompt: 'x', max_tokens: 2, stream: true })).text);
  t.deepEqual(Object.keys(events[0]!.choices[0]), ['index', 'text', 'logprobs', 'finish_reason']);
  t.is(JSON.parse((await get(sim.url, '/v1/models')).text).data[0].owned_by, 'system');
});
