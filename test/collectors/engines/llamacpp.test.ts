/** llama.cpp adapter: engine-apis.md §4 examples plus real llama-server captures (fixtures/README.md). */
import { readFileSync } from 'node:fs';
import test from 'ava';
import type { ServerReport, StreamEvent } from '../../../pipeline/core/engine.js';
import { llamacpp } from '../../../collectors/engines/llamacpp.js';
import { assertEverySplit, bodyOf, contentTokens, eventsOf, eventsOfBytes, generationRequest, sse } from './stream-harness.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const native = generationRequest({ model: 'llmbench-tiny' });
const v1Completions = generationRequest({ api: 'completions', model: 'llmbench-tiny' });
const v1Chat = generationRequest({ api: 'chat', model: 'llmbench-tiny' });
const parser = () => llamacpp.createStreamParser(native);
const counted = (tokens: number): StreamEvent => ({ type: 'content', tokens, counted: true });
const END: StreamEvent = { type: 'end' };
const reportOf = (events: StreamEvent[], index = -2) => (events.at(index) as { report: ServerReport }).report;

const DOC_FINAL =
  'data: {"index":0,"content":"","tokens":[],"id_slot":0,"stop":true,"model":"gpt-3.5-turbo","tokens_predicted":3,"tokens_evaluated":12,"generation_settings":{"n_predict":3,"seed":42,"temperature":0.0,"ignore_eos":true,"...":"..."},"prompt":"<|begin_of_text|>Once upon a time","has_new_line":false,"truncated":false,"stop_type":"limit","stopping_word":"","tokens_cached":14,"timings":{"cache_n":0,"prompt_n":12,"prompt_ms":35.21,"prompt_per_token_ms":2.934,"prompt_per_second":340.8,"predicted_n":3,"predicted_ms":24.06,"predicted_per_token_ms":8.02,"predicted_per_second":124.7}}';
const DOC_STREAM = sse(
  'data: {"index":0,"content":" The","tokens":[578],"stop":false,"id_slot":0,"tokens_predicted":1,"tokens_evaluated":12}',
  'data: {"index":0,"content":" sky","tokens":[13180],"stop":false,"id_slot":0,"tokens_predicted":2,"tokens_evaluated":12}',
  'data: {"index":0,"content":" is","tokens":[374],"stop":false,"id_slot":0,"tokens_predicted":3,"tokens_evaluated":12}',
  DOC_FINAL,
);

const DOC_REPORT: ServerReport = {
  promptTokensComputed: 12,
  cachedTokens: 0,
  promptEvalDurationMs: 35.21,
  evalDurationMs: 24.06,
  promptTokenRateEngine: 340.8,
  evalTokenRateEngine: 124.7,
  promptTokens: 12,
  outputTokens: 3,
  finishReason: 'length',
  raw: {
    'timings.cache_n': 0,
    'timings.prompt_n': 12,
    'timings.prompt_ms': 35.21,
    'timings.prompt_per_token_ms': 2.934,
    'timings.prompt_per_second': 340.8,
    'timings.predicted_n': 3,
    'timings.predicted_ms': 24.06,
    'timings.predicted_per_token_ms': 8.02,
    'timings.predicted_per_second': 124.7,
    tokens_predicted: 3,
    tokens_evaluated: 12,
    tokens_cached: 14,
    truncated: false,
    stop_type: 'limit',
    stopping_word: '',
  },
};

test('llamacpp: /completion body forces N tokens and a cold prompt cache', (t) => {
  const spec = llamacpp.buildRequest(native);
  t.is(spec.path, '/completion');
  t.deepEqual(spec.headers, { 'content-type': 'application/json', 'x-request-id': 'req-0001' });
  t.deepEqual(bodyOf(spec), {
    model: 'llmbench-tiny',
    prompt: 'nonce-1 Once upon a time',
    n_predict: 3,
    ignore_eos: true,
    cache_prompt: false,
    temperature: 0,
    seed: 42,
    stream: true,
    return_tokens: true,
  });
});

test('llamacpp: /v1 bodies keep max_tokens and add ignore_eos, cache_prompt and (streaming) timings_per_token', (t) => {
  const stream = llamacpp.buildRequest(v1Completions);
  t.is(stream.path, '/v1/completions');
  t.like(bodyOf(stream), { max_tokens: 3, ignore_eos: true, cache_prompt: false, timings_per_token: true, stream_options: { include_usage: true } });
  const chat = llamacpp.buildRequest({ ...v1Chat, stream: false });
  t.is(chat.path, '/v1/chat/completions');
  t.false('timings_per_token' in bodyOf(chat));
});

test('llamacpp: streamed requests do not reuse the connection (llama-server closes it after every stream)', (t) => {
  t.true(llamacpp.buildRequest(native).closeConnection);
  t.true(llamacpp.buildRequest(v1Completions).closeConnection);
  t.is(llamacpp.buildRequest({ ...native, stream: false }).closeConnection, undefined);
});

test('llamacpp: §4b stream: counted tokens from tokens_predicted, stop:true final event with timings', (t) => {
  assertEverySplit(t, parser, DOC_STREAM, [counted(1), counted(1), counted(1), { type: 'report', report: DOC_REPORT }, END]);
});

test('llamacpp: real capture: partial UTF-8 tokens merged into one chunk count as 2 (tokens array is no count)', (t) => {
  const body = fixture('llamacpp-completion-stream.sse');
  const events = eventsOf(parser(), [body]);
  t.deepEqual(
    events.filter((e) => e.type === 'content'),
    [counted(2), counted(1), counted(1)],
  );
  t.like(reportOf(events), { outputTokens: 4, promptTokens: 9, promptTokensComputed: 9, cachedTokens: 0, finishReason: 'length' });
  t.is(events.at(-1)?.type, 'end');
  assertEverySplit(t, parser, body, events);
  // The runner's view: bytes decoded per read, the U+FFFD's three bytes split across reads.
  t.deepEqual(eventsOfBytes(parser(), body, 1), events);
  t.deepEqual(eventsOfBytes(parser(), body, 5), events);
});

test('llamacpp: real capture of /v1/completions with timings_per_token: per-chunk predicted_n, timings before [DONE]', (t) => {
  const events = eventsOf(llamacpp.createStreamParser(v1Completions), [fixture('llamacpp-v1-completions-stream.sse')]);
  t.deepEqual(events.filter((e) => e.type === 'content'), [counted(2), counted(1), counted(1)]);
  const reports = events.filter((e): e is Extract<StreamEvent, { type: 'report' }> => e.type === 'report').map((e) => e.report);
  t.is(reports[0]?.finishReason, 'length');
  t.like(reports[1], { promptTokens: 9, outputTokens: 4, cachedTokens: 0, promptTokensComputed: 9 });
  // The last JSON's timings, emitted at [DONE]: prefill/decode from the server.
  t.like(reports[2], { promptTokensComputed: 9, raw: { 'timings.predicted_n': 4 } });
  t.true(typeof reports[2]?.promptEvalDurationMs === 'number' && typeof reports[2]?.evalDurationMs === 'number');
  t.is(events.at(-1)?.type, 'end');
});

test('llamacpp: real capture of /v1/chat: role chunk with content null is no token; fewer chunks than tokens', (t) => {
  for (const name of ['llamacpp-v1-chat-stream.sse', 'llamacpp-v1-chat-stream-no-timings.sse']) {
    const body = fixture(name);
    const events = eventsOf(llamacpp.createStreamParser(v1Chat), [body]);
    const content = events.filter((e) => e.type === 'content');
    t.is(content.length, 1, name);
    t.is(contentTokens(events), 1, name);
    t.is((content[0] as { counted: boolean }).counted, name === 'llamacpp-v1-chat-stream.sse', name);
    // The usage chunk says 4: the authoritative total is not the chunk count.
    t.like(reportOf(events), { raw: { 'timings.predicted_n': 4 } }, name);
    t.is(events.filter((e) => e.type === 'report' && e.report.outputTokens === 4).length, 1, name);
    assertEverySplit(t, () => llamacpp.createStreamParser(v1Chat), body, events);
  }
});

test('llamacpp: old builds wrote mid-stream errors as an `error:` SSE field', (t) => {
  const body = `${sse('data: {"index":0,"content":" The","stop":false,"tokens_predicted":1}')}error: {"code":500,"message":"slot unavailable","type":"server_error"}\n\n`;
  assertEverySplit(t, parser, body, [counted(1), { type: 'error', kind: 'protocol', message: 'engine error mid-stream: slot unavailable (server_error)' }]);
});

test('llamacpp: newer builds send data: {"error":{…}} mid-stream', (t) => {
  const body = sse(
    'data: {"index":0,"content":" The","stop":false,"tokens_predicted":1}',
    'data: {"error":{"code":500,"message":"failed to decode the batch","type":"server_error"}}',
  );
  const events = eventsOf(parser(), [body]);
  t.deepEqual(events, [counted(1), { type: 'error', kind: 'protocol', message: 'engine error mid-stream: failed to decode the batch (server_error)' }]);
});

test('llamacpp: ping comments between events are ignored', (t) => {
  const body = DOC_STREAM.replace('\n\ndata: {"index":0,"content":" sky"', '\n\n: ping\n\ndata: {"index":0,"content":" sky"');
  t.deepEqual(eventsOf(parser(), [body]), eventsOf(parser(), [DOC_STREAM]));
});

test('llamacpp: a stream without its stop:true event is a protocol error', (t) => {
  const events = eventsOf(parser(), [DOC_STREAM.slice(0, DOC_STREAM.indexOf(DOC_FINAL))]);
  t.deepEqual(events.at(-1), { type: 'error', kind: 'protocol', message: 'the stream ended without an event with "stop": true' });
});

test('llamacpp: partials without tokens_predicted (old builds) count one token per chunk, uncounted', (t) => {
  const body = sse('data: {"content":" The","stop":false,"slot_id":0}', 'data: {"content":"","stop":false}', 'data: {"content":"","stop":true,"tokens_predicted":1,"timings":{"prompt_n":5,"prompt_ms":1.5,"predicted_n":1,"predicted_ms":0}}');
  const events = eventsOf(parser(), [body]);
  t.deepEqual(events.slice(0, 1), [{ type: 'content', tokens: 1, counted: false }]);
  t.like(reportOf(events), { outputTokens: 1, promptEvalDurationMs: 1.5, evalDurationMs: 0 });
});

test('llamacpp: real non-stream /completion response', (t) => {
  const result = llamacpp.parseResponse(200, {}, fixture('llamacpp-completion.json'), { ...native, stream: false });
  t.is(result.error, undefined);
  t.like(result.report, { outputTokens: 4, promptTokens: 9, promptTokensComputed: 9, finishReason: 'length', raw: { stop_type: 'limit' } });
  t.true((result.report.promptEvalDurationMs ?? 0) > 0);
});

test('llamacpp: the doc final event as a non-stream body maps every timing', (t) => {
  t.deepEqual(llamacpp.parseResponse(200, {}, DOC_FINAL.slice('data: '.length), { ...native, stream: false }), { report: DOC_REPORT });
});

const errorCases: Array<[number, string, string, string]> = [
  [503, '{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}', 'overloaded', 'HTTP 503: Loading model (unavailable_error)'],
  [400, '{"error":{"code":400,"message":"Field \'n_predict\': [json.exception.type_error.302] type must be number, but is string","type":"invalid_request_error"}}', 'http_4xx', "HTTP 400: Field 'n_predict': [json.exception.type_error.302] type must be number, but is string (invalid_request_error)"],
  [400, '{"error":{"code":400,"message":"request exceeds the available context size","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}', 'http_4xx', 'HTTP 400: request exceeds the available context size (exceed_context_size_error)'],
  [404, '{"error":{"message":"File Not Found","type":"not_found_error","code":404}}', 'http_4xx', 'HTTP 404: File Not Found (not_found_error)'],
  [501, '{"error":{"code":501,"message":"This server does not support embeddings","type":"not_supported_error"}}', 'http_5xx', 'HTTP 501: This server does not support embeddings (not_supported_error)'],
  [503, '{"error":{"code":null,"message":"Loading model","type":"service_unavailable_error","param":null}}', 'overloaded', 'HTTP 503: Loading model (service_unavailable_error)'],
];
for (const [status, body, kind, message] of errorCases) {
  test(`llamacpp: classifyError ${status} ${message.slice(9, 40)}`, (t) => t.deepEqual(llamacpp.classifyError(status, body), { kind, message }));
}
