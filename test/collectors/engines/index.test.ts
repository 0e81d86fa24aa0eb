/** The registry, and the request rules every adapter shares (headers, path per API, parser per API). */
import test from 'ava';
import { ENGINE_KINDS, type ApiKind } from '../../../pipeline/core/engine.js';
import { EngineError } from '../../../pipeline/core/errors.js';
import { adapterFor, isEngineKind } from '../../../collectors/engines/index.js';
import { generationRequest } from './stream-harness.js';

test('adapterFor returns each engine its own adapter', (t) => {
  for (const kind of ENGINE_KINDS) {
    const adapter = adapterFor(kind);
    t.is(adapter.kind, kind);
    t.true(adapter.supportedApis.includes(adapter.defaultApi), kind);
    t.truthy(adapter.healthPath, kind);
  }
});

test('adapterFor an unknown engine → ENGINE_UNKNOWN (exit 2) listing the known ones', (t) => {
  const error = t.throws(() => adapterFor('triton'), { instanceOf: EngineError });
  t.is(error?.code, 'ENGINE_UNKNOWN');
  t.is(error?.exitCode, 2);
  t.is(error?.message, 'unknown engine "triton"; known engines: ollama, vllm, tgi, llamacpp, openai, sglang');
  t.is(error?.hint, 'use --engine ollama|vllm|tgi|llamacpp|openai|sglang');
});

test('isEngineKind', (t) => {
  for (const kind of ENGINE_KINDS) t.true(isEngineKind(kind));
  for (const value of ['', 'VLLM', 'triton', 3, undefined, null, {}]) t.false(isEngineKind(value));
});

const expectedPath: Record<string, Partial<Record<ApiKind, [stream: string, nonStream: string]>>> = {
  ollama: { native: ['/api/generate', '/api/generate'], chat: ['/api/chat', '/api/chat'], completions: ['/v1/completions', '/v1/completions'] },
  vllm: { native: ['/v1/completions', '/v1/completions'], completions: ['/v1/completions', '/v1/completions'], chat: ['/v1/chat/completions', '/v1/chat/completions'] },
  openai: { native: ['/v1/chat/completions', '/v1/chat/completions'], completions: ['/v1/completions', '/v1/completions'], chat: ['/v1/chat/completions', '/v1/chat/completions'] },
  tgi: { native: ['/generate_stream', '/generate'], completions: ['/v1/completions', '/v1/completions'], chat: ['/v1/chat/completions', '/v1/chat/completions'] },
  llamacpp: { native: ['/completion', '/completion'], completions: ['/v1/completions', '/v1/completions'], chat: ['/v1/chat/completions', '/v1/chat/completions'] },
  sglang: { native: ['/generate', '/generate'], completions: ['/v1/completions', '/v1/completions'], chat: ['/v1/chat/completions', '/v1/chat/completions'] },
};

for (const kind of ENGINE_KINDS) {
  for (const api of ['native', 'completions', 'chat'] as const) {
    test(`${kind} ${api}: POST JSON to the API's path with x-request-id, content-type and (when set) a bearer token`, (t) => {
      const adapter = adapterFor(kind);
      const [streamPath, nonStreamPath] = expectedPath[kind]![api]!;
      for (const stream of [true, false]) {
        const spec = adapter.buildRequest(generationRequest({ api, stream, requestId: 'r-42', apiKey: 'k' }));
        t.is(spec.method, 'POST');
        t.is(spec.path, stream ? streamPath : nonStreamPath);
        t.deepEqual(spec.headers, { 'content-type': 'application/json', 'x-request-id': 'r-42', authorization: 'Bearer k' });
        t.notThrows(() => JSON.parse(spec.body ?? ''));
      }
      t.false('authorization' in adapter.buildRequest(generationRequest({ api })).headers);
      // The prompt and the output cap always reach the engine.
      const body = adapter.buildRequest(generationRequest({ api, maxTokens: 17 })).body ?? '';
      t.true(body.includes('nonce-1 Once upon a time'));
      t.regex(body, /"(max_tokens|num_predict|max_new_tokens|n_predict)":17/);
    });
  }
}
