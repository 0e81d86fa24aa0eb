/** Ollama adapter against the wire formats of engine-apis.md §1 (streams written from its examples). */
import test from 'ava';
import type { ServerReport, StreamEvent } from '../../../pipeline/core/engine.js';
import { ollama } from '../../../collectors/engines/ollama.js';
import { assertEverySplit, bodyOf, eventsOf, eventsOfBytes, generationRequest, sse } from './stream-harness.js';

const generate = generationRequest({ model: 'llama3.2:3b' });
const parser = () => ollama.createStreamParser(generate);
const one: StreamEvent = { type: 'content', tokens: 1, counted: false };

const FINAL =
  '{"model":"llama3.2:3b","created_at":"2025-06-01T12:00:00.1262Z","response":"","done":true,"done_reason":"length","context":[128006,882,128007,271,791,13180,374],"total_duration":412345678,"load_duration":15234567,"prompt_eval_count":31,"prompt_eval_duration":350123000,"eval_count":3,"eval_duration":24567000}';

const GENERATE_STREAM = [
  '{"model":"llama3.2:3b","created_at":"2025-06-01T12:00:00.1012Z","response":"The","done":false}',
  '{"model":"llama3.2:3b","created_at":"2025-06-01T12:00:00.1135Z","response":" sky","done":false}',
  '{"model":"llama3.2:3b","created_at":"2025-06-01T12:00:00.1258Z","response":" is","done":false}',
  FINAL,
].map((line) => `${line}\n`).join('');

/** The §1b final chunk, converted: nanoseconds → milliseconds, Ollama's N/eval rate kept as the engine's. */
const FINAL_REPORT: ServerReport = {
  promptTokens: 31,
  outputTokens: 3,
  serverTotalDurationMs: 412.345678,
  loadDurationMs: 15.234567,
  promptEvalDurationMs: 350.123,
  evalDurationMs: 24.567,
  evalTokenRateEngine: 3 / 0.024567,
  finishReason: 'length',
  raw: {
    total_duration: 412345678,
    load_duration: 15234567,
    prompt_eval_duration: 350123000,
    eval_duration: 24567000,
    prompt_eval_count: 31,
    eval_count: 3,
    done_reason: 'length',
  },
};

test('ollama: /api/generate body asks for raw, no thinking, num_predict/seed/temperature in options', (t) => {
  const spec = ollama.buildRequest({ ...generate, apiKey: 'sk-test' });
  t.is(spec.method, 'POST');
  t.is(spec.path, '/api/generate');
  t.deepEqual(spec.headers, { 'content-type': 'application/json', 'x-request-id': 'req-0001', authorization: 'Bearer sk-test' });
  t.deepEqual(bodyOf(spec), {
    model: 'llama3.2:3b',
    prompt: 'nonce-1 Once upon a time',
    raw: true,
    stream: true,
    think: false,
    options: { num_predict: 3, temperature: 0, seed: 42 },
  });
});

test('ollama: chat api uses /api/chat with messages; completions api uses /v1/completions', (t) => {
  const chat = ollama.buildRequest({ ...generate, api: 'chat', stream: false });
  t.is(chat.path, '/api/chat');
  t.deepEqual(bodyOf(chat), {
    model: 'llama3.2:3b',
    messages: [{ role: 'user', content: 'nonce-1 Once upon a time' }],
    stream: false,
    think: false,
    options: { num_predict: 3, temperature: 0, seed: 42 },
  });
  const v1 = ollama.buildRequest({ ...generate, api: 'completions' });
  t.is(v1.path, '/v1/completions');
  t.like(bodyOf(v1), { max_tokens: 3, stream: true, stream_options: { include_usage: true } });
  t.false('seed' in (bodyOf(ollama.buildRequest({ ...generate, seed: undefined })).options as object));
});

test('ollama: generate stream, one token per non-empty chunk (uncounted), final report in ms, in every split', (t) => {
  assertEverySplit(t, parser, GENERATE_STREAM, [one, one, one, { type: 'report', report: FINAL_REPORT }, { type: 'end' }]);
});

test('ollama: ns → ms conversion is exact and the rate is N / eval_duration', (t) => {
  const [report] = eventsOf(parser(), [`${FINAL}\n`]).filter((e) => e.type === 'report');
  t.like(report, { report: { loadDurationMs: 15.234567, promptEvalDurationMs: 350.123, evalDurationMs: 24.567, serverTotalDurationMs: 412.345678 } });
  t.true(Math.abs((report as { report: ServerReport }).report.evalTokenRateEngine! - 122.11503) < 1e-4);
});

test('ollama: omitempty metrics absent from the final chunk are zeros', (t) => {
  const final = '{"model":"m","response":"","done":true,"done_reason":"stop","total_duration":5000000,"prompt_eval_count":4,"prompt_eval_duration":1000000,"eval_count":1}\n';
  const events = eventsOf(parser(), [final]);
  t.deepEqual(events[0], {
    type: 'report',
    report: {
      promptTokens: 4,
      outputTokens: 1,
      serverTotalDurationMs: 5,
      loadDurationMs: 0,
      promptEvalDurationMs: 1,
      evalDurationMs: 0,
      finishReason: 'stop',
      raw: { total_duration: 5000000, prompt_eval_duration: 1000000, prompt_eval_count: 4, eval_count: 1, done_reason: 'stop' },
    },
  });
});

test('ollama: chat stream reads message.content; empty final message is not content', (t) => {
  const chat = generationRequest({ api: 'chat' });
  const body = [
    '{"model":"m","created_at":"t","message":{"role":"assistant","content":"The"},"done":false}',
    '{"model":"m","created_at":"t","message":{"role":"assistant","content":" sky"},"done":false}',
    '{"model":"m","created_at":"t","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","total_duration":3000000,"load_duration":1000000,"prompt_eval_count":9,"prompt_eval_duration":1000000,"eval_count":2,"eval_duration":1000000}',
  ].join('\n');
  const events = eventsOf(ollama.createStreamParser(chat), [body]);
  t.deepEqual(events.map((e) => e.type), ['content', 'content', 'report', 'end']);
});

test('ollama: thinking tokens count as content', (t) => {
  const events = eventsOf(parser(), ['{"model":"m","response":"","thinking":"Hmm","done":false}\n', FINAL, '\n']);
  t.deepEqual(events[0], one);
});

test('ollama: multi-byte UTF-8 split across reads at every byte', (t) => {
  const body = '{"model":"m","response":"héllo","done":false}\n{"model":"m","response":"🙂","done":false}\n' + FINAL + '\n';
  const events = eventsOfBytes(parser(), body, 1);
  t.deepEqual(events.map((e) => e.type), ['content', 'content', 'report', 'end']);
});

test('ollama: an error line after a 200 is a protocol error with the engine message', (t) => {
  const body =
    '{"model":"m","response":"The","done":false}\n{"error":"an error was encountered while running the model: unexpected EOF"}\n';
  assertEverySplit(t, parser, body, [
    one,
    { type: 'error', kind: 'protocol', message: 'engine error mid-stream: an error was encountered while running the model: unexpected EOF' },
  ]);
});

test('ollama: a body that ends without done:true is a protocol error', (t) => {
  const events = eventsOf(parser(), ['{"model":"m","response":"The","done":false}\n{"model":"m","response":" sky","done":false}']);
  t.deepEqual(events.at(-1), { type: 'error', kind: 'protocol', message: 'the stream ended without a "done": true line' });
});

test('ollama: a malformed line is a protocol error', (t) => {
  const events = eventsOf(parser(), ['{"model":"m","response":"The","done":fa\n', FINAL, '\n']);
  t.like(events[0], { type: 'error', kind: 'protocol' });
  t.regex((events[0] as { message: string }).message, /malformed JSON in stream/);
});

test('ollama: /v1/completions stream (OpenAI framing, usage only)', (t) => {
  const v1 = generationRequest({ api: 'completions' });
  const chunk = (choice: string) =>
    `data: {"id":"cmpl-417","object":"text_completion","created":1748779200,"model":"llama3.2:3b","system_fingerprint":"fp_ollama","choices":[${choice}]}`;
  const body = sse(
    chunk('{"index":0,"text":"The","finish_reason":null}'),
    chunk('{"index":0,"text":" sky","finish_reason":null}'),
    chunk('{"index":0,"text":"","finish_reason":"length"}'),
    'data: {"id":"cmpl-417","object":"text_completion","created":1748779200,"model":"llama3.2:3b","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":2,"total_tokens":33}}',
    'data: [DONE]',
  );
  assertEverySplit(t, () => ollama.createStreamParser(v1), body, [
    one,
    one,
    { type: 'report', report: { finishReason: 'length', raw: { finish_reason: 'length' } } },
    {
      type: 'report',
      report: { promptTokens: 31, outputTokens: 2, raw: { 'usage.prompt_tokens': 31, 'usage.completion_tokens': 2, 'usage.total_tokens': 33 } },
    },
    { type: 'end' },
  ]);
});

test('ollama: non-stream /api/generate response', (t) => {
  const body = FINAL.replace('"response":""', '"response":"The sky is"');
  const result = ollama.parseResponse(200, { 'content-type': 'application/json' }, body, { ...generate, stream: false });
  t.deepEqual(result, { report: FINAL_REPORT });
});

test('ollama: non-stream error body and non-JSON body', (t) => {
  const request = { ...generate, stream: false };
  t.deepEqual(ollama.parseResponse(200, {}, '{"error":"boom"}', request).error, { kind: 'protocol', message: 'engine error: boom' });
  t.is(ollama.parseResponse(200, {}, '<html>', request).error?.kind, 'protocol');
  t.is(ollama.parseResponse(404, {}, '{"error":"model \'x\' not found"}', request).error?.kind, 'http_4xx');
});

const errorCases: Array<[number, string, string, string]> = [
  [404, `{"error":"model 'llama9' not found, try pulling it first"}`, 'http_4xx', `HTTP 404: model 'llama9' not found, try pulling it first`],
  [400, '{"error":"raw mode does not support template, system, or context"}', 'http_4xx', 'HTTP 400: raw mode does not support template, system, or context'],
  [503, '{"error":"server busy, please try again.  maximum pending requests exceeded"}', 'overloaded', 'HTTP 503: server busy, please try again. maximum pending requests exceeded'],
  [429, '{"error":"rate limited"}', 'overloaded', 'HTTP 429: rate limited'],
  [500, '{"error":"model runner has unexpectedly stopped"}', 'http_5xx', 'HTTP 500: model runner has unexpectedly stopped'],
  [499, '{"error":"request canceled"}', 'http_4xx', 'HTTP 499: request canceled'],
];
for (const [status, body, kind, message] of errorCases) {
  test(`ollama: classifyError ${status} ${kind}`, (t) => {
    t.deepEqual(ollama.classifyError(status, body), { kind, message });
  });
}
