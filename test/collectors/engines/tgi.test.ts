/** TGI adapter against engine-apis.md §3 (streams written from its examples). */
import test from 'ava';
import type { StreamEvent } from '../../../pipeline/core/engine.js';
import { tgi } from '../../../collectors/engines/tgi.js';
import { assertEverySplit, bodyOf, eventsOf, generationRequest, sse } from './stream-harness.js';

const native = generationRequest({ model: 'meta-llama/Llama-3.1-8B-Instruct' });
const parser = () => tgi.createStreamParser(native);
const token: StreamEvent = { type: 'content', tokens: 1, counted: true };
const END: StreamEvent = { type: 'end' };

const DOC_STREAM = sse(
  'data: {"index":1,"token":{"id":578,"text":" The","logprob":-0.21,"special":false},"generated_text":null,"details":null}',
  'data: {"index":2,"token":{"id":13180,"text":" sky","logprob":-0.05,"special":false},"generated_text":null,"details":null}',
  'data: {"index":3,"token":{"id":374,"text":" is","logprob":-0.33,"special":false},"generated_text":"The sky is","details":{"finish_reason":"length","generated_tokens":3,"seed":null,"input_length":7}}',
);
const DOC_REPORT: StreamEvent = {
  type: 'report',
  report: {
    promptTokens: 7,
    outputTokens: 3,
    finishReason: 'length',
    raw: { 'details.finish_reason': 'length', 'details.generated_tokens': 3, 'details.input_length': 7, 'details.seed': null },
  },
};

test('tgi: /generate_stream body: max_new_tokens cap, greedy, details explicitly on', (t) => {
  const spec = tgi.buildRequest(native);
  t.is(spec.path, '/generate_stream');
  t.deepEqual(spec.headers, { 'content-type': 'application/json', 'x-request-id': 'req-0001' });
  t.deepEqual(bodyOf(spec), {
    inputs: 'nonce-1 Once upon a time',
    parameters: { max_new_tokens: 3, do_sample: false, details: true, return_full_text: false, seed: 42 },
  });
  t.is(tgi.buildRequest({ ...native, stream: false }).path, '/generate');
  t.is(tgi.buildRequest({ ...native, api: 'chat' }).path, '/v1/chat/completions');
});

test('tgi: §3b stream: one counted token per event, the generated_text event ends it with details', (t) => {
  assertEverySplit(t, parser, DOC_STREAM, [token, token, token, DOC_REPORT, END]);
});

test('tgi: keep-alive comments between events', (t) => {
  const body = `: \n\n${DOC_STREAM.replace('\n\ndata: {"index":2', '\n\n:\n\ndata: {"index":2')}`;
  assertEverySplit(t, parser, body, [token, token, token, DOC_REPORT, END]);
});

test('tgi: an empty-text special token (EOS) is still a generated token; eos_token → stop', (t) => {
  const body = sse(
    'data: {"index":1,"token":{"id":578,"text":" The","logprob":-0.21,"special":false},"generated_text":null,"details":null}',
    'data: {"index":2,"token":{"id":2,"text":"","logprob":-0.01,"special":true},"generated_text":"The","details":{"finish_reason":"eos_token","generated_tokens":2,"seed":null,"input_length":7}}',
  );
  const events = eventsOf(parser(), [body]);
  t.deepEqual(events.slice(0, 2), [token, token]);
  t.like(events[2], { report: { finishReason: 'stop', outputTokens: 2, raw: { 'details.finish_reason': 'eos_token' } } });
});

test('tgi: a repeated index adds no token', (t) => {
  const body = sse(
    'data: {"index":1,"token":{"id":578,"text":" The","logprob":-0.21,"special":false},"generated_text":null,"details":null}',
    'data: {"index":1,"token":{"id":578,"text":" The","logprob":-0.21,"special":false},"generated_text":"The","details":{"finish_reason":"length","generated_tokens":1,"seed":null,"input_length":7}}',
  );
  t.deepEqual(eventsOf(parser(), [body]).filter((e) => e.type === 'content'), [token]);
});

test('tgi: a mid-stream error event after a 200 (the stream then closes)', (t) => {
  const body = sse(
    'data: {"index":1,"token":{"id":578,"text":" The","logprob":-0.21,"special":false},"generated_text":null,"details":null}',
    'data: {"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}',
  );
  assertEverySplit(t, parser, body, [
    token,
    { type: 'error', kind: 'protocol', message: 'engine error mid-stream: Request failed during generation: Server error: CUDA out of memory' },
  ]);
});

test('tgi: a stream that closes before the generated_text event is a protocol error', (t) => {
  const body = DOC_STREAM.slice(0, DOC_STREAM.indexOf('data: {"index":3'));
  t.deepEqual(eventsOf(parser(), [body]).at(-1), { type: 'error', kind: 'protocol', message: 'the stream ended without an event with "generated_text"' });
});

const GENERATE_BODY =
  '{"generated_text":"The sky is","details":{"finish_reason":"length","generated_tokens":3,"seed":null,"prefill":[],"tokens":[{"id":578,"text":" The","logprob":-0.21,"special":false},{"id":13180,"text":" sky","logprob":-0.05,"special":false},{"id":374,"text":" is","logprob":-0.33,"special":false}]}}';
const GENERATE_HEADERS = {
  'content-type': 'application/json',
  'x-compute-type': 'gpu+optimized',
  'x-compute-time': '0.125432',
  'x-compute-characters': '24',
  'x-total-time': '125',
  'x-validation-time': '1',
  'x-queue-time': '3',
  'x-inference-time': '121',
  'x-time-per-token': '40',
  'x-prompt-tokens': '7',
  'x-generated-tokens': '3',
};

test('tgi: non-stream /generate: x-compute-time seconds → ms, header ms ints, counts, raw headers unconverted', (t) => {
  const { report, ...rest } = tgi.parseResponse(200, GENERATE_HEADERS, GENERATE_BODY, { ...native, stream: false });
  const { serverTotalDurationMs, ...counts } = report;
  t.true(Math.abs(serverTotalDurationMs! - 125.432) < 1e-9, `${serverTotalDurationMs}`);
  t.deepEqual({ ...rest, report: counts }, {
    outputTokens: 3,
    report: {
      queueMs: 3,
      promptTokens: 7,
      outputTokens: 3,
      finishReason: 'length',
      raw: {
        'x-compute-time': 0.125432,
        'x-total-time': 125,
        'x-validation-time': 1,
        'x-queue-time': 3,
        'x-inference-time': 121,
        'x-time-per-token': 40,
        'x-prompt-tokens': 7,
        'x-generated-tokens': 3,
        'x-compute-characters': 24,
        'details.finish_reason': 'length',
        'details.generated_tokens': 3,
        'details.seed': null,
      },
    },
  });
});

test('tgi: without x-compute-time the total comes from x-total-time (integer ms)', (t) => {
  const { 'x-compute-time': _dropped, ...headers } = GENERATE_HEADERS;
  t.is(tgi.parseResponse(200, headers, GENERATE_BODY, { ...native, stream: false }).report.serverTotalDurationMs, 125);
});

test('tgi: Messages API stream: role on every delta, usage null, error object with http_status_code', (t) => {
  const chat = generationRequest({ api: 'chat' });
  const chunk = (content: string, finishReason: string | null = null) =>
    `data: {"object":"chat.completion.chunk","id":"","created":1748779200,"model":"m","system_fingerprint":"3.3.6-native","choices":[{"index":0,"delta":{"role":"assistant","content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}],"usage":null}`;
  const ok = sse(
    chunk('The'),
    chunk(' sky'),
    chunk(' is', 'length'),
    'data: {"object":"chat.completion.chunk","id":"","created":1748779200,"model":"m","system_fingerprint":"3.3.6-native","choices":[],"usage":{"prompt_tokens":25,"completion_tokens":3,"total_tokens":28}}',
    'data: [DONE]',
  );
  const events = eventsOf(tgi.createStreamParser(chat), [ok]);
  t.deepEqual(events.filter((e) => e.type === 'content'), Array(3).fill({ type: 'content', tokens: 1, counted: false }));
  t.like(events.at(-2), { report: { outputTokens: 3, promptTokens: 25 } });
  const failed = sse(chunk('The'), 'data: {"error":{"message":"Input validation error","http_status_code":422}}', 'data: [DONE]');
  t.deepEqual(eventsOf(tgi.createStreamParser(chat), [failed]).slice(1), [
    { type: 'error', kind: 'protocol', message: 'engine error mid-stream: Input validation error (422)' },
    END,
  ]);
});

// error_type is appended unless the message already says it ("Input validation error" + validation).
const errorCases: Array<[number, string, string, string]> = [
  [429, '{"error":"Model is overloaded","error_type":"overloaded"}', 'overloaded', 'HTTP 429: Model is overloaded'],
  [422, '{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`","error_type":"validation"}', 'http_4xx', 'HTTP 422: Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`'],
  [424, '{"error":"Request failed during generation: Server error: CUDA error","error_type":"generation"}', 'http_4xx', 'HTTP 424: Request failed during generation: Server error: CUDA error'],
  [503, '{"error":"unhealthy","error_type":"healthcheck"}', 'overloaded', 'HTTP 503: unhealthy (healthcheck)'],
  [500, '{"error":"Incomplete generation","error_type":"incomplete_generation"}', 'http_5xx', 'HTTP 500: Incomplete generation (incomplete_generation)'],
];
for (const [status, body, kind, message] of errorCases) {
  test(`tgi: classifyError ${status} ${kind}`, (t) => t.deepEqual(tgi.classifyError(status, body), { kind, message }));
}
