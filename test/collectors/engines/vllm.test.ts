/** vLLM adapter against engine-apis.md §2 (streams written from its examples). */
import test from 'ava';
import type { StreamEvent } from '../../../pipeline/core/engine.js';
import { vllm } from '../../../collectors/engines/vllm.js';
import { assertEverySplit, bodyOf, contentTokens, eventsOf, generationRequest, sse } from './stream-harness.js';

const completions = generationRequest({ api: 'completions', model: 'meta-llama/Llama-3.1-8B' });
const chat = generationRequest({ api: 'chat', model: 'm' });
const parser = () => vllm.createStreamParser(completions);
const counted = (tokens: number): StreamEvent => ({ type: 'content', tokens, counted: true });
const uncounted: StreamEvent = { type: 'content', tokens: 1, counted: false };
const finish = (reason: string): StreamEvent => ({ type: 'report', report: { finishReason: reason, raw: { finish_reason: reason } } });
const END: StreamEvent = { type: 'end' };

const cmpl = (choices: string, extra = '') =>
  `data: {"id":"cmpl-5f0e2c1b9a7d4e3f","object":"text_completion","created":1748779200,"model":"meta-llama/Llama-3.1-8B","choices":[${choices}]${extra}}`;
const choice = (text: string, finishReason: string | null = null) =>
  `{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)},"stop_reason":null,"prompt_token_ids":null,"token_ids":null}`;
const usage = (completion: number, prompt = 12) => `,"usage":{"prompt_tokens":${prompt},"total_tokens":${prompt + completion},"completion_tokens":${completion}}`;
const usageReport = (completion: number, prompt = 12): StreamEvent => ({
  type: 'report',
  report: {
    promptTokens: prompt,
    outputTokens: completion,
    raw: { 'usage.prompt_tokens': prompt, 'usage.total_tokens': prompt + completion, 'usage.completion_tokens': completion },
  },
});

test('vllm: completions body forces exactly N tokens, continuous usage, a cache salt per request', (t) => {
  const spec = vllm.buildRequest(completions);
  t.is(spec.path, '/v1/completions');
  t.deepEqual(spec.headers, { 'content-type': 'application/json', 'x-request-id': 'req-0001' });
  t.deepEqual(bodyOf(spec), {
    model: 'meta-llama/Llama-3.1-8B',
    prompt: 'nonce-1 Once upon a time',
    max_tokens: 3,
    min_tokens: 3,
    ignore_eos: true,
    temperature: 0,
    seed: 42,
    stream: true,
    stream_options: { include_usage: true, continuous_usage_stats: true },
    cache_salt: 'req-0001',
  });
});

test('vllm: chat body uses messages; non-stream sends no stream_options (a 400 on vLLM); native means completions', (t) => {
  const spec = vllm.buildRequest({ ...chat, stream: false });
  t.is(spec.path, '/v1/chat/completions');
  const body = bodyOf(spec);
  t.deepEqual(body.messages, [{ role: 'user', content: 'nonce-1 Once upon a time' }]);
  t.false('stream_options' in body);
  t.is(body.stream, false);
  t.is(vllm.buildRequest(generationRequest({ api: 'native' })).path, '/v1/completions');
});

test('vllm: §2b completions stream without continuous usage: one uncounted token per text chunk, usage total', (t) => {
  const body = sse(
    cmpl(choice(' The')),
    cmpl(choice(' sky')),
    cmpl(choice(' is', 'length')),
    cmpl('', usage(3)),
    'data: [DONE]',
  );
  assertEverySplit(t, parser, body, [uncounted, uncounted, uncounted, finish('length'), usageReport(3), END]);
});

test('vllm: continuous usage counts tokens per chunk: multi-token chunks, a token with no text yet, text with no new token', (t) => {
  const body = sse(
    cmpl(choice(' The'), usage(1)),
    cmpl(choice(' sky is'), usage(3)), // two tokens merged into one chunk
    cmpl(choice(''), usage(4)), // an incomplete UTF-8 token: counted, no text yet
    cmpl(choice('é'), usage(4)), // its text, no new token
    cmpl(choice(' blue', 'length'), usage(5)),
    cmpl('', usage(5)),
    'data: [DONE]',
  );
  const events: StreamEvent[] = [counted(1), counted(2), counted(1), counted(0), counted(1), finish('length'), usageReport(5), usageReport(5), END];
  assertEverySplit(t, parser, body, events);
  t.is(contentTokens(events), 5);
});

test('vllm: a one-token completion in one chunk is counted from its usage', (t) => {
  const body = sse(cmpl(choice(' The', 'length'), usage(1)), cmpl('', usage(1)), 'data: [DONE]');
  t.deepEqual(eventsOf(parser(), [body]), [counted(1), finish('length'), usageReport(1), usageReport(1), END]);
});

test('vllm: §2b chat stream: the role chunk never counts (no usage)', (t) => {
  const chunk = (delta: string, finishReason: string | null = null) =>
    `data: {"id":"chatcmpl-9b1d","object":"chat.completion.chunk","created":1748779200,"model":"m","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}]}`;
  const body = sse(
    chunk('{"role":"assistant","content":""}'),
    chunk('{"content":"The"}'),
    chunk('{"content":" sky"}'),
    chunk('{"content":" is"}', 'length'),
    'data: {"id":"chatcmpl-9b1d","object":"chat.completion.chunk","created":1748779200,"model":"m","choices":[],"usage":{"prompt_tokens":40,"total_tokens":43,"completion_tokens":3}}',
    'data: [DONE]',
  );
  assertEverySplit(t, () => vllm.createStreamParser(chat), body, [uncounted, uncounted, uncounted, finish('length'), usageReport(3, 40), END]);
});

test('vllm: chat stream with continuous usage: the role chunk carries completion_tokens 0 and is not content', (t) => {
  const chunk = (delta: string, completion: number, finishReason: string | null = null) =>
    `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}],"usage":{"prompt_tokens":40,"total_tokens":${40 + completion},"completion_tokens":${completion}}}`;
  const body = sse(
    chunk('{"role":"assistant","content":""}', 0),
    chunk('{"content":"The sky"}', 2),
    chunk('{"content":" is"}', 3, 'length'),
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":40,"total_tokens":43,"completion_tokens":3}}',
    'data: [DONE]',
  );
  assertEverySplit(t, () => vllm.createStreamParser(chat), body, [counted(2), counted(1), finish('length'), usageReport(3, 40), usageReport(3, 40), END]);
});

test('vllm: per-request metrics on the usage chunk map to queue, prefill and decode (ms)', (t) => {
  const body = sse(
    cmpl(choice(' The', 'length'), usage(1)),
    cmpl(
      '',
      `${usage(1)},"system_fingerprint":"fp","metrics":{"queue_time_ms":1.25,"time_to_first_token_ms":20.5,"generation_time_ms":0.0,"mean_itl_ms":0.0,"tokens_per_second":48.7}`,
    ),
    'data: [DONE]',
  );
  const events = eventsOf(parser(), [body]);
  t.deepEqual(events.at(-2), {
    type: 'report',
    report: {
      queueMs: 1.25,
      promptEvalDurationMs: 20.5,
      evalDurationMs: 0,
      raw: {
        'metrics.queue_time_ms': 1.25,
        'metrics.time_to_first_token_ms': 20.5,
        'metrics.generation_time_ms': 0,
        'metrics.mean_itl_ms': 0,
        'metrics.tokens_per_second': 48.7,
      },
    },
  });
});

test('vllm: keep-alive comments and `data:` without a space', (t) => {
  const body = `: ping\n\ndata:${cmpl(choice(' The')).slice(6)}\n\n:\n\ndata:${cmpl(choice(' sky', 'length')).slice(6)}\n\ndata:[DONE]\n\n`;
  assertEverySplit(t, parser, body, [uncounted, uncounted, finish('length'), END]);
});

test('vllm: an error event after a 200, then [DONE]', (t) => {
  const body = sse(
    cmpl(choice(' The')),
    'data: {"error":{"message":"The decoder prompt is longer than the maximum model length","type":"BadRequestError","param":null,"code":400}}',
    'data: [DONE]',
  );
  assertEverySplit(t, parser, body, [
    uncounted,
    { type: 'error', kind: 'protocol', message: 'engine error mid-stream: The decoder prompt is longer than the maximum model length (BadRequestError)' },
    END,
  ]);
});

test('vllm: a stream cut before [DONE] is a protocol error; records after [DONE] are ignored', (t) => {
  t.deepEqual(eventsOf(parser(), [sse(cmpl(choice(' The')))]), [
    uncounted,
    { type: 'error', kind: 'protocol', message: 'the stream ended without data: [DONE]' },
  ]);
  t.deepEqual(eventsOf(parser(), [sse('data: [DONE]', cmpl(choice(' late')))]), [END]);
});

test('vllm: non-stream completion with usage, cached tokens and per-request metrics', (t) => {
  const body =
    '{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" The sky is","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":{"prompt_tokens":12,"total_tokens":15,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":4}},"metrics":{"queue_time_ms":1.5,"time_to_first_token_ms":20.25,"generation_time_ms":30.5,"mean_itl_ms":15.25,"tokens_per_second":60.1}}';
  const result = vllm.parseResponse(200, {}, body, { ...completions, stream: false });
  t.deepEqual(result, {
    report: {
      finishReason: 'length',
      promptTokens: 12,
      outputTokens: 3,
      cachedTokens: 4,
      promptTokensComputed: 8,
      queueMs: 1.5,
      promptEvalDurationMs: 20.25,
      evalDurationMs: 30.5,
      raw: {
        finish_reason: 'length',
        'usage.prompt_tokens': 12,
        'usage.total_tokens': 15,
        'usage.completion_tokens': 3,
        'usage.prompt_tokens_details.cached_tokens': 4,
        'metrics.queue_time_ms': 1.5,
        'metrics.time_to_first_token_ms': 20.25,
        'metrics.generation_time_ms': 30.5,
        'metrics.mean_itl_ms': 15.25,
        'metrics.tokens_per_second': 60.1,
      },
    },
  });
});

const errorCases: Array<[string, number, string, string, string]> = [
  ['≤ v0.9 flat body', 404, '{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404}', 'http_4xx', 'HTTP 404: The model `x` does not exist. (NotFoundError)'],
  ['v0.10+ nested body', 400, '{"error":{"message":"max_tokens must be at least 1, got 0.","type":"BadRequestError","param":null,"code":400}}', 'http_4xx', 'HTTP 400: max_tokens must be at least 1, got 0. (BadRequestError)'],
  ['OpenAI-style type and string code', 400, '{"error":{"message":"too long","type":"invalid_request_error","param":"max_tokens","code":"context_length_exceeded"}}', 'http_4xx', 'HTTP 400: too long (invalid_request_error)'],
  ['FastAPI 404', 404, '{"detail":"Not Found"}', 'http_4xx', 'HTTP 404: Not Found'],
  ['pydantic validation list', 422, '{"detail":[{"loc":["body","prompt"],"msg":"Field required","type":"missing"}]}', 'http_4xx', 'HTTP 422: body.prompt: Field required'],
  ['engine dead', 503, '', 'overloaded', 'HTTP 503: (empty body)'],
  ['internal error', 500, '{"error":{"message":"EngineCore died","type":"InternalServerError","code":500}}', 'http_5xx', 'HTTP 500: EngineCore died (InternalServerError)'],
  ['proxy HTML', 502, '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>', 'http_5xx', 'HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx'],
];
for (const [name, status, body, kind, message] of errorCases) {
  test(`vllm: classifyError, ${name}`, (t) => t.deepEqual(vllm.classifyError(status, body), { kind, message }));
}

test('vllm: a role chunk never counts, even if a counter on it had already moved', (t) => {
  const chunk = (delta: string, completion: number) =>
    `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},"finish_reason":null}],"usage":{"prompt_tokens":4,"total_tokens":${4 + completion},"completion_tokens":${completion}}}`;
  const events = eventsOf(vllm.createStreamParser(chat), [sse(chunk('{"role":"assistant","content":""}', 1), chunk('{"content":"The"}', 1), chunk('{"content":" sky"}', 2), 'data: [DONE]')]);
  t.deepEqual(events, [counted(1), counted(1), END]);
});
