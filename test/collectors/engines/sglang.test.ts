/** SGLang adapter against engine-apis.md §5 (stream written from its example). */
import test from 'ava';
import type { ServerReport, StreamEvent } from '../../../pipeline/core/engine.js';
import { sglang } from '../../../collectors/engines/sglang.js';
import { assertEverySplit, bodyOf, eventsOf, generationRequest, sse } from './stream-harness.js';

const native = generationRequest();
const parser = () => sglang.createStreamParser(native);
const counted = (tokens: number): StreamEvent => ({ type: 'content', tokens, counted: true });
const END: StreamEvent = { type: 'end' };

const DOC_STREAM = sse(
  'data: {"text":" The","output_ids":[578],"meta_info":{"id":"a1b2","finish_reason":null,"prompt_tokens":12,"completion_tokens":1,"cached_tokens":0}}',
  'data: {"text":" The sky","output_ids":[13180],"meta_info":{"id":"a1b2","finish_reason":null,"prompt_tokens":12,"completion_tokens":2,"cached_tokens":0}}',
  'data: {"text":" The sky is","output_ids":[374],"meta_info":{"id":"a1b2","finish_reason":{"type":"length","length":3},"prompt_tokens":12,"completion_tokens":3,"cached_tokens":0,"e2e_latency":0.0612}}',
  'data: [DONE]',
);
const DOC_REPORT: ServerReport = {
  promptTokens: 12,
  outputTokens: 3,
  cachedTokens: 0,
  promptTokensComputed: 12,
  finishReason: 'length',
  serverTotalDurationMs: 0.0612 * 1000, // e2e_latency is float seconds
  raw: {
    'meta_info.id': 'a1b2',
    'meta_info.prompt_tokens': 12,
    'meta_info.completion_tokens': 3,
    'meta_info.cached_tokens': 0,
    'meta_info.e2e_latency': 0.0612,
    'meta_info.finish_reason': 'length',
  },
};

test('sglang: /generate body forces exactly N tokens and names the request (rid)', (t) => {
  const spec = sglang.buildRequest(native);
  t.is(spec.path, '/generate');
  t.deepEqual(spec.headers, { 'content-type': 'application/json', 'x-request-id': 'req-0001' });
  t.deepEqual(bodyOf(spec), {
    text: 'nonce-1 Once upon a time',
    sampling_params: { max_new_tokens: 3, min_new_tokens: 3, ignore_eos: true, temperature: 0 },
    stream: true,
    rid: 'req-0001',
  });
  const v1 = sglang.buildRequest({ ...native, api: 'completions' });
  t.is(v1.path, '/v1/completions');
  t.like(bodyOf(v1), { max_tokens: 3, min_tokens: 3, ignore_eos: true, stream_options: { include_usage: true, continuous_usage_stats: true } });
});

test('sglang: §5 stream: cumulative text and completion_tokens, finish_reason object, e2e_latency s → ms', (t) => {
  assertEverySplit(t, parser, DOC_STREAM, [counted(1), counted(1), counted(1), { type: 'report', report: DOC_REPORT }, END]);
  t.true(Math.abs(DOC_REPORT.serverTotalDurationMs! - 61.2) < 1e-9);
});

test('sglang: stream_interval batches tokens: counted from completion_tokens, not chunks', (t) => {
  const body = sse(
    'data: {"text":" The sky","meta_info":{"finish_reason":null,"prompt_tokens":12,"completion_tokens":2,"cached_tokens":4}}',
    'data: {"text":" The sky is blue","meta_info":{"finish_reason":null,"prompt_tokens":12,"completion_tokens":4,"cached_tokens":4}}',
    'data: {"text":" The sky is blue.","meta_info":{"finish_reason":{"type":"length","length":5},"prompt_tokens":12,"completion_tokens":5,"cached_tokens":4}}',
    'data: [DONE]',
  );
  const events = eventsOf(parser(), [body]);
  t.deepEqual(events.filter((e) => e.type === 'content'), [counted(2), counted(2), counted(1)]);
  t.like(events.at(-2), { report: { promptTokensComputed: 8, cachedTokens: 4, outputTokens: 5 } });
});

test('sglang: incremental text mode (--incremental-streaming-output) counts the same', (t) => {
  const body = sse(
    'data: {"text":" The","meta_info":{"finish_reason":null,"completion_tokens":1}}',
    'data: {"text":" sky","meta_info":{"finish_reason":null,"completion_tokens":2}}',
    'data: {"text":" is","meta_info":{"finish_reason":"stop","completion_tokens":3}}',
    'data: [DONE]',
  );
  const events = eventsOf(parser(), [body]);
  t.deepEqual(events.filter((e) => e.type === 'content'), [counted(1), counted(1), counted(1)]);
  t.like(events.at(-2), { report: { finishReason: 'stop', outputTokens: 3 } });
});

test('sglang: mid-stream error and a stream cut before [DONE]', (t) => {
  const first = 'data: {"text":" The","meta_info":{"finish_reason":null,"completion_tokens":1}}';
  t.deepEqual(eventsOf(parser(), [sse(first, 'data: {"error":{"message":"out of memory"}}')]), [
    counted(1),
    { type: 'error', kind: 'protocol', message: 'engine error mid-stream: out of memory' },
  ]);
  t.deepEqual(eventsOf(parser(), [sse(first)]).at(-1), { type: 'error', kind: 'protocol', message: 'the stream ended without data: [DONE]' });
});

test('sglang: non-stream /generate response', (t) => {
  const body =
    '{"text":" The sky is","output_ids":[578,13180,374],"meta_info":{"id":"a1b2","finish_reason":{"type":"length","length":3},"prompt_tokens":12,"completion_tokens":3,"cached_tokens":0,"e2e_latency":0.0612}}';
  t.deepEqual(sglang.parseResponse(200, {}, body, { ...native, stream: false }), { report: DOC_REPORT });
});

test('sglang: classifyError for both error shapes', (t) => {
  t.deepEqual(sglang.classifyError(400, '{"object":"error","message":"max_new_tokens is too large","type":"BadRequestError","param":null,"code":400}'), {
    kind: 'http_4xx',
    message: 'HTTP 400: max_new_tokens is too large (BadRequestError)',
  });
  t.deepEqual(sglang.classifyError(400, '{"error":{"message":"The input is too long"}}'), { kind: 'http_4xx', message: 'HTTP 400: The input is too long' });
});
