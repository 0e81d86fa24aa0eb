/** Generic OpenAI-compatible adapter, against the /v1 dialects of engine-apis.md §1b, §2b, §3b, §4b. */
import { readFileSync } from 'node:fs';
import test from 'ava';
import type { StreamEvent } from '../../../pipeline/core/engine.js';
import { openai } from '../../../collectors/engines/openai.js';
import { assertEverySplit, bodyOf, contentTokens, eventsOf, generationRequest, sse } from './stream-harness.js';

const chat = generationRequest({ api: 'chat', model: 'llama3.2:3b' });
const parser = () => openai.createStreamParser(chat);
const uncounted: StreamEvent = { type: 'content', tokens: 1, counted: false };
const finish = (reason: string): StreamEvent => ({ type: 'report', report: { finishReason: reason, raw: { finish_reason: reason } } });
const END: StreamEvent = { type: 'end' };

test('openai: chat by default, standard fields only (no vLLM or llama.cpp extras), bearer token', (t) => {
  const spec = openai.buildRequest({ ...chat, api: 'native', apiKey: 'sk-abc' });
  t.is(spec.path, '/v1/chat/completions');
  t.deepEqual(spec.headers, { 'content-type': 'application/json', 'x-request-id': 'req-0001', authorization: 'Bearer sk-abc' });
  t.deepEqual(bodyOf(spec), {
    model: 'llama3.2:3b',
    messages: [{ role: 'user', content: 'nonce-1 Once upon a time' }],
    max_tokens: 3,
    temperature: 0,
    seed: 42,
    stream: true,
    stream_options: { include_usage: true },
  });
  const completions = openai.buildRequest({ ...chat, api: 'completions', stream: false });
  t.is(completions.path, '/v1/completions');
  t.deepEqual(bodyOf(completions), { model: 'llama3.2:3b', prompt: 'nonce-1 Once upon a time', max_tokens: 3, temperature: 0, seed: 42, stream: false });
});

const ollamaChunk = (delta: string, finishReason: string | null = null) =>
  `data: {"id":"chatcmpl-417","object":"chat.completion.chunk","created":1748779200,"model":"llama3.2:3b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":${delta},"finish_reason":${JSON.stringify(finishReason)}}]}`;
const OLLAMA_USAGE =
  'data: {"id":"chatcmpl-417","object":"chat.completion.chunk","created":1748779200,"model":"llama3.2:3b","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":3,"total_tokens":34}}';
const usage31: StreamEvent = {
  type: 'report',
  report: { promptTokens: 31, outputTokens: 3, raw: { 'usage.prompt_tokens': 31, 'usage.completion_tokens': 3, 'usage.total_tokens': 34 } },
};

test('openai: Ollama ≥ 0.32.6 /v1 stream: role and first text in one delta, a separate finish chunk, usage before [DONE]', (t) => {
  const body = sse(
    ollamaChunk('{"role":"assistant","content":"The"}'),
    ollamaChunk('{"content":" sky"}'),
    ollamaChunk('{"content":" is"}'),
    ollamaChunk('{}', 'length'),
    OLLAMA_USAGE,
    'data: [DONE]',
  );
  assertEverySplit(t, parser, body, [uncounted, uncounted, uncounted, finish('length'), usage31, END]);
});

test('openai: older Ollama /v1 stream: role repeated in every delta, finish on the last content chunk', (t) => {
  const body = sse(
    ollamaChunk('{"role":"assistant","content":"The"}'),
    ollamaChunk('{"role":"assistant","content":" sky"}'),
    ollamaChunk('{"role":"assistant","content":" is"}', 'length'),
    OLLAMA_USAGE,
    'data: [DONE]',
  );
  assertEverySplit(t, parser, body, [uncounted, uncounted, uncounted, finish('length'), usage31, END]);
});

test('openai: a server that sends continuous usage gets counted chunks', (t) => {
  const chunk = (content: string, completion: number) =>
    `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}],"usage":{"prompt_tokens":5,"completion_tokens":${completion},"total_tokens":${5 + completion}}}`;
  const events = eventsOf(parser(), [sse(chunk('ab', 2), chunk('c', 3), 'data: [DONE]')]);
  t.deepEqual(events, [
    { type: 'content', tokens: 2, counted: true },
    { type: 'content', tokens: 1, counted: true },
    END,
  ]);
});

test('openai: llama.cpp /v1 chat (real capture): `content: null` role chunk is no token, timings used at [DONE]', (t) => {
  const body = readFileSync(new URL('fixtures/llamacpp-v1-chat-stream-no-timings.sse', import.meta.url), 'utf8');
  const events = eventsOf(parser(), [body]);
  t.is(contentTokens(events), 1);
  t.like(events.at(-2), { type: 'report', report: { raw: { 'timings.predicted_n': 4 } } });
  t.is(events.at(-1)?.type, 'end');
});

test('openai: reasoning_content / reasoning deltas are generated tokens', (t) => {
  const body = sse(
    'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"Let"}}]}',
    'data: {"choices":[{"index":0,"delta":{"reasoning":" me"}}]}',
    'data: [DONE]',
  );
  t.deepEqual(eventsOf(parser(), [body]), [uncounted, uncounted, END]);
});

test('openai: non-stream chat response', (t) => {
  const body =
    '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"The sky is"},"finish_reason":"length"}],"usage":{"prompt_tokens":31,"completion_tokens":3,"total_tokens":34}}';
  t.deepEqual(openai.parseResponse(200, {}, body, { ...chat, stream: false }), {
    report: {
      finishReason: 'length',
      promptTokens: 31,
      outputTokens: 3,
      raw: { finish_reason: 'length', 'usage.prompt_tokens': 31, 'usage.completion_tokens': 3, 'usage.total_tokens': 34 },
    },
  });
  t.like(openai.parseResponse(200, {}, 'upstream timeout', { ...chat, stream: false }), { error: { kind: 'protocol' } });
});

test('openai: Ollama /v1 error envelope mid-stream', (t) => {
  const body = sse(ollamaChunk('{"role":"assistant","content":"The"}'), 'data: {"error":{"message":"model runner crashed","type":"api_error","param":null,"code":null}}');
  t.deepEqual(eventsOf(parser(), [body]), [uncounted, { type: 'error', kind: 'protocol', message: 'engine error mid-stream: model runner crashed (api_error)' }]);
});

const errorCases: Array<[number, string, string, string]> = [
  [401, '{"error":{"message":"Incorrect API key provided: sk-abc.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}', 'http_4xx', 'HTTP 401: Incorrect API key provided: sk-abc. (invalid_request_error)'],
  [429, '{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}', 'overloaded', 'HTTP 429: Rate limit reached (requests)'],
  [404, '{"error":{"message":"model \\"x\\" not found, try pulling it first","type":"not_found_error","param":null,"code":null}}', 'http_4xx', 'HTTP 404: model "x" not found, try pulling it first (not_found_error)'],
];
for (const [status, body, kind, message] of errorCases) {
  test(`openai: classifyError ${status} ${kind}`, (t) => t.deepEqual(openai.classifyError(status, body), { kind, message }));
}

test('openai: llama.cpp stream with no text at all (every token inside a UTF-8 sequence): the totals are its one content chunk', (t) => {
  // Captured from llama-server b11669 (tiny model, --api chat): the finishing chunk has an empty delta and the
  // tokens first appear in the `choices: []` usage chunk.
  const body = sse(
    'data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"created":1795818451,"id":"chatcmpl-x","model":"llmbench-tiny","system_fingerprint":"b11669-Debian","object":"chat.completion.chunk"}',
    'data: {"choices":[],"created":1795818451,"id":"chatcmpl-x","model":"llmbench-tiny","system_fingerprint":"b11669-Debian","object":"chat.completion.chunk","usage":{"completion_tokens":24,"prompt_tokens":158,"total_tokens":182,"prompt_tokens_details":{"cached_tokens":4}},"timings":{"cache_n":4,"prompt_n":154,"prompt_ms":183.222,"predicted_n":24,"predicted_ms":235.076}}',
    'data: [DONE]',
  );
  const events = eventsOf(parser(), [body]);
  t.deepEqual(events.filter((event) => event.type === 'content'), [{ type: 'content', tokens: 24, counted: true }]);
  t.is(events.at(-1)?.type, 'end');
});
