/**
 * The Ollama dialect over real sockets (engine-apis.md §1).
 */
import test from 'ava';
import { get, ndjson, post, sseData, sseJson, startSim } from './sim-client.js';

test('/api/generate streams NDJSON; the final line has done_reason, counts and integer-ns durations', async (t) => {
  const sim = await startSim(t, { engine: 'ollama' });
  const reply = await post(sim.url, '/api/generate', { model: 'sim', prompt: 'why is the sky blue', options: { num_predict: 4 } });
  t.is(reply.status, 200);
  t.is(reply.headers['content-type'], 'application/x-ndjson');
  const lines = ndjson(reply.text);
  t.is(lines.length, 5);
  for (const line of lines.slice(0, 4)) {
    t.deepEqual(Object.keys(line), ['model', 'created_at', 'response', 'done']);
    t.false(line.done);
    t.regex(line.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  }
  const final = lines[4]!;
  t.deepEqual(Object.keys(final), [
    'model',
    'created_at',
    'response',
    'done',
    'done_reason',
    'context',
    'total_duration',
    'load_duration',
    'prompt_eval_count',
    'prompt_eval_duration',
    'eval_count',
    'eval_duration',
  ]);
  t.like(final, { model: 'sim', response: '', done: true, done_reason: 'length', prompt_eval_count: 5, eval_count: 4 });
  t.is(final.context.length, 5 + 4);
  for (const key of ['total_duration', 'prompt_eval_duration', 'eval_duration']) t.true(Number.isInteger(final[key]) && final[key] > 0, key);
  // Nanoseconds: the server's total cannot exceed what the ground truth saw, and is > 1 ms in ns units.
  const [truth] = sim.groundTruth();
  t.true(final.total_duration <= (truth!.done_ms! - truth!.received_ms) * 1e6 + 1e6);
  t.true(final.total_duration > final.eval_duration);
  t.like(truth, { path: '/api/generate', output_tokens: 4, chunks: 4, prompt_tokens: 5, finish_reason: 'length' });
});

test('/api/generate: raw has no context; non-stream answers one object with the whole text', async (t) => {
  const sim = await startSim(t, { engine: 'ollama' });
  const reply = await post(sim.url, '/api/generate', { model: 'sim:latest', prompt: 'a b', raw: true, stream: false, options: { num_predict: 3 } });
  t.is(reply.headers['content-type'], 'application/json; charset=utf-8');
  const body = JSON.parse(reply.text);
  t.false('context' in body);
  t.is(body.response.trim().split(' ').length, 3);
  t.like(body, { done: true, done_reason: 'length', eval_count: 3, prompt_eval_count: 2 });
});

test('num_predict is only a cap: without it the model stops by itself (done_reason stop)', async (t) => {
  const sim = await startSim(t, { engine: 'ollama', perf: { naturalLengthTokens: 6 } });
  const capped = ndjson((await post(sim.url, '/api/generate', { model: 'sim', prompt: 'x', options: { num_predict: 50 } })).text).at(-1)!;
  t.like(capped, { done_reason: 'stop', eval_count: 6 });
  const open = ndjson((await post(sim.url, '/api/generate', { model: 'sim', prompt: 'x' })).text).at(-1)!;
  t.like(open, { done_reason: 'stop', eval_count: 6 });
});

test('/api/chat: message chunks, final chunk with done_reason before done', async (t) => {
  const sim = await startSim(t, { engine: 'ollama' });
  const lines = ndjson((await post(sim.url, '/api/chat', { model: 'sim', messages: [{ role: 'user', content: 'hello there' }], options: { num_predict: 2 } })).text);
  t.is(lines.length, 3);
  t.deepEqual(Object.keys(lines[0]!), ['model', 'created_at', 'message', 'done']);
  t.is(lines[0]!.message.role, 'assistant');
  const final = lines[2]!;
  t.deepEqual(Object.keys(final).slice(0, 5), ['model', 'created_at', 'message', 'done_reason', 'done']);
  t.deepEqual(final.message, { role: 'assistant', content: '' });
  t.false('context' in final);
  t.like(final, { done: true, eval_count: 2, prompt_eval_count: 2 });
});

test('cold load: the first request pays load_duration, later ones do not; /api/ps shows residency', async (t) => {
  const sim = await startSim(t, { engine: 'ollama', perf: { coldLoadMs: 300 } });
  t.deepEqual(JSON.parse((await get(sim.url, '/api/ps')).text), { models: [] });
  const first = ndjson((await post(sim.url, '/api/generate', { model: 'sim', prompt: 'x', options: { num_predict: 2 } })).text).at(-1)!;
  const second = ndjson((await post(sim.url, '/api/generate', { model: 'sim', prompt: 'x', options: { num_predict: 2 } })).text).at(-1)!;
  t.true(first.load_duration >= 300e6, `first load_duration ${first.load_duration} ns`);
  t.true((second.load_duration ?? 0) < 300e6, `second load_duration ${second.load_duration} ns`);
  const ps = JSON.parse((await get(sim.url, '/api/ps')).text);
  t.is(ps.models[0].name, 'sim:latest');
  t.is(ps.models[0].context_length, 4096);
});

test('an empty prompt loads the model (done_reason load); keep_alive 0 unloads it', async (t) => {
  const sim = await startSim(t, { engine: 'ollama', perf: { coldLoadMs: 50 } });
  const load = JSON.parse((await post(sim.url, '/api/generate', { model: 'sim' })).text);
  t.like(load, { model: 'sim', response: '', done: true, done_reason: 'load' });
  t.is(JSON.parse((await get(sim.url, '/api/ps')).text).models.length, 1);
  const unload = JSON.parse((await post(sim.url, '/api/generate', { model: 'sim', keep_alive: 0 })).text);
  t.is(unload.done_reason, 'unload');
  t.is(JSON.parse((await get(sim.url, '/api/ps')).text).models.length, 0);
});

test('errors: unknown model 404 {"error": ...}, missing model 400, unknown path is gin 404 text', async (t) => {
  const sim = await startSim(t, { engine: 'ollama' });
  const unknown = await post(sim.url, '/api/generate', { model: 'llama9', prompt: 'x' });
  t.is(unknown.status, 404);
  t.deepEqual(JSON.parse(unknown.text), { error: "model 'llama9' not found" });
  const missing = await post(sim.url, '/api/chat', { messages: [{ role: 'user', content: 'x' }] });
  t.is(missing.status, 400);
  t.deepEqual(JSON.parse(missing.text), { error: 'model is required' });
  const raw = await post(sim.url, '/api/generate', { model: 'sim', prompt: 'x', raw: true, system: 'be nice' });
  t.is(raw.status, 400);
  const path = await get(sim.url, '/metrics');
  t.is(path.status, 404);
  t.is(path.text, '404 page not found');
});

test('GET /, /api/version, /api/tags', async (t) => {
  const sim = await startSim(t, { engine: 'ollama', model: 'llama3.2:3b' });
  const root = await get(sim.url, '/');
  t.is(root.text, 'Ollama is running');
  t.is((await get(sim.url, '/', 'HEAD')).status, 200);
  t.regex(JSON.parse((await get(sim.url, '/api/version')).text).version, /^\d+\.\d+\.\d+$/);
  const tags = JSON.parse((await get(sim.url, '/api/tags')).text);
  t.is(tags.models[0].name, 'llama3.2:3b');
  t.deepEqual(Object.keys(tags.models[0]), ['name', 'model', 'modified_at', 'size', 'digest', 'details']);
  t.is(tags.models[0].details.format, 'gguf');
});

test('/v1/chat/completions: role in the first delta, finish in its own delta:{} chunk, usage only with include_usage', async (t) => {
  const sim = await startSim(t, { engine: 'ollama' });
  const body = { model: 'sim', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true };
  const plain = await post(sim.url, '/v1/chat/completions', body);
  t.regex(plain.headers['content-type']!, /^text\/event-stream/);
  const events = sseJson(plain.text);
  t.is(events.length, 4);
  t.deepEqual(Object.keys(events[0]!), ['id', 'object', 'created', 'model', 'system_fingerprint', 'choices']);
  t.regex(events[0]!.id, /^chatcmpl-\d{1,3}$/);
  t.is(events[0]!.system_fingerprint, 'fp_ollama');
  t.is(events[0]!.choices[0].delta.role, 'assistant');
  t.false('role' in events[1]!.choices[0].delta);
  t.deepEqual(events[3]!.choices[0], { index: 0, delta: {}, finish_reason: 'length' });
  t.true(events.every((e) => !('usage' in e)));
  t.is(sseData(plain.text).at(-1), '[DONE]');
  const withUsage = sseJson((await post(sim.url, '/v1/chat/completions', { ...body, stream_options: { include_usage: true } })).text);
  t.deepEqual(withUsage.at(-1)!.choices, []);
  t.deepEqual(withUsage.at(-1)!.usage, { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 });
  // No durations anywhere in the OpenAI layer.
  t.false(plain.text.includes('duration'));
});

test('/v1/completions and /v1/models; /v1 errors use the wrapped OpenAI shape', async (t) => {
  const sim = await startSim(t, { engine: 'ollama' });
  const events = sseJson((await post(sim.url, '/v1/completions', { model: 'sim', prompt: 'x y', max_tokens: 2, stream: true })).text);
  t.deepEqual(Object.keys(events[0]!), ['id', 'object', 'created', 'choices', 'model', 'system_fingerprint']);
  t.is(events.at(-1)!.choices[0].finish_reason, 'length');
  const unary = JSON.parse((await post(sim.url, '/v1/completions', { model: 'sim', prompt: 'x y', max_tokens: 2 })).text);
  t.deepEqual(unary.usage, { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  const models = JSON.parse((await get(sim.url, '/v1/models')).text);
  t.like(models.data[0], { id: 'sim:latest', object: 'model', owned_by: 'library' });
  const missing = await post(sim.url, '/v1/chat/completions', { model: 'other', messages: [{ role: 'user', content: 'x' }] });
  t.is(missing.status, 404);
  t.deepEqual(JSON.parse(missing.text), { error: { message: 'model "other" not found, try pulling it first', type: 'not_found_error', param: null, code: null } });
});
