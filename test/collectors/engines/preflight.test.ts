/**
 * Preflight of every adapter against a scripted server on a real socket: the EngineError code, the
 * message naming the model and URL, and the hint, for each way a target can be wrong.
 */
import test from 'ava';
import { ENGINE_KINDS, type EngineKind } from '../../../pipeline/core/engine.js';
import { EngineError } from '../../../pipeline/core/errors.js';
import { adapterFor } from '../../../collectors/engines/index.js';
import { ENGINE_SCRIPTS, SERVED_MODEL } from './engine-scripts.js';
import { closedPortUrl, startScriptedServer, testPreflightHttp, type EngineScript } from './scripted-server.js';

async function serve(t: import('ava').ExecutionContext, script: EngineScript) {
  const server = await startScriptedServer(script);
  t.teardown(() => server.close());
  return server;
}

async function preflightError(t: import('ava').ExecutionContext, engine: EngineKind, url: string, model: string): Promise<EngineError> {
  const error = await t.throwsAsync(adapterFor(engine).preflight(testPreflightHttp(url), model), { instanceOf: EngineError });
  return error as EngineError;
}

const expectedInfo: Record<EngineKind, { models: string[]; version?: string; details: Record<string, unknown> }> = {
  ollama: { models: ['llama3.2:3b', 'qwen3:latest'], version: '0.6.8', details: { loaded_models: ['llama3.2:3b'] } },
  vllm: { models: ['meta-llama/Llama-3.1-8B-Instruct'], version: '0.11.0', details: { max_model_len: 8192 } },
  tgi: { models: ['meta-llama/Llama-3.1-8B-Instruct'], version: '3.3.6', details: ENGINE_SCRIPTS.tgi.routes['/info']!.body as Record<string, unknown> },
  llamacpp: { models: ['llmbench-tiny'], version: 'b11669-Debian', details: { total_slots: 4, model_path: '/models/tiny.gguf', n_ctx: 2048 } },
  openai: { models: ['gpt-4o-mini'], details: {} },
  sglang: {
    models: ['Qwen/Qwen2.5-7B-Instruct'],
    version: '0.4.6',
    details: { model_path: 'Qwen/Qwen2.5-7B-Instruct', tokenizer_path: 'Qwen/Qwen2.5-7B-Instruct', is_generation: true },
  },
};

for (const engine of ENGINE_KINDS) {
  test(`preflight ${engine}: healthy server serving the model → models, version, details`, async (t) => {
    const server = await serve(t, ENGINE_SCRIPTS[engine]);
    const info = await adapterFor(engine).preflight(testPreflightHttp(server.url), SERVED_MODEL[engine]);
    t.deepEqual(info, { engine, ...expectedInfo[engine] });
  });

  test(`preflight ${engine}: unknown model → ENGINE_REFUSED naming the model, the URL and what is served`, async (t) => {
    const server = await serve(t, ENGINE_SCRIPTS[engine]);
    const error = await preflightError(t, engine, server.url, 'no-such-model');
    t.is(error.code, 'ENGINE_REFUSED');
    t.is(error.exitCode, 3);
    t.true(error.message.includes('"no-such-model"'), error.message);
    t.true(error.message.includes(server.url), error.message);
    t.true(error.message.includes(SERVED_MODEL[engine]), error.message);
    t.regex(error.hint ?? '', /--model/);
  });

  test(`preflight ${engine}: nothing listening → ENGINE_UNREACHABLE naming the URL and the cause`, async (t) => {
    const url = await closedPortUrl();
    const error = await preflightError(t, engine, url, 'm');
    t.is(error.code, 'ENGINE_UNREACHABLE');
    t.is(error.exitCode, 3);
    t.true(error.message.startsWith(`cannot reach ${engine} at ${url}: `), error.message);
    t.regex(error.message, /ECONNREFUSED/);
    t.is(error.hint, 'check --url and that the server is running');
  });

  test(`preflight ${engine}: an HTML page instead of the API → ENGINE_PROTOCOL`, async (t) => {
    const html = { body: '<!doctype html><html><head><title>Welcome to nginx!</title></head><body>hello</body></html>', headers: { 'content-type': 'text/html' } };
    const server = await serve(t, { routes: {}, notFound: { status: 200, ...html } });
    const error = await preflightError(t, engine, server.url, 'm');
    t.is(error.code, 'ENGINE_PROTOCOL');
    t.regex(error.message, new RegExp(`did not answer like ${engine}.*Welcome to nginx!`));
  });
}

/** [adapter used, server actually there, path the message names] */
const wrongEngine: Array<[EngineKind, EngineKind, string]> = [
  ['ollama', 'vllm', '/api/version'],
  ['ollama', 'llamacpp', '/api/version'],
  ['vllm', 'ollama', '/health'],
  ['vllm', 'llamacpp', '/v1/models'],
  ['vllm', 'sglang', '/v1/models'],
  ['tgi', 'vllm', '/info'],
  ['tgi', 'llamacpp', '/info'],
  ['llamacpp', 'tgi', '/props'],
  ['llamacpp', 'vllm', '/props'],
  ['llamacpp', 'ollama', '/health'],
  ['sglang', 'vllm', '/get_model_info'],
  ['sglang', 'tgi', '/get_model_info'],
  ['openai', 'ollama', '/v1/models'],
];
for (const [adapter, actual, path] of wrongEngine) {
  test(`preflight ${adapter} against ${actual} → ENGINE_PROTOCOL suggesting --engine ${actual}`, async (t) => {
    const server = await serve(t, ENGINE_SCRIPTS[actual]);
    const error = await preflightError(t, adapter, server.url, SERVED_MODEL[actual]);
    t.is(error.code, 'ENGINE_PROTOCOL');
    t.true(error.message.includes(`GET ${path} at ${server.url} did not answer like ${adapter}`), error.message);
    t.is(error.hint, `the server looks like ${actual}: use --engine ${actual}`);
  });
}

test('preflight: an OpenAI-compatible server answers the openai adapter (vLLM, TGI and llama.cpp all do)', async (t) => {
  for (const engine of ['vllm', 'tgi', 'llamacpp'] as const) {
    const server = await serve(t, ENGINE_SCRIPTS[engine]);
    const info = await adapterFor('openai').preflight(testPreflightHttp(server.url), SERVED_MODEL[engine]);
    t.deepEqual(info.models, expectedInfo[engine].models);
  }
});

test('preflight: a --url ending in /v1 gets a hint to drop it', async (t) => {
  const server = await serve(t, ENGINE_SCRIPTS.vllm);
  const error = await preflightError(t, 'vllm', `${server.url}/v1`, SERVED_MODEL.vllm);
  t.is(error.code, 'ENGINE_PROTOCOL');
  t.is(error.hint, 'drop /v1 from --url: llmbench adds the API paths itself');
});

test('preflight: an unhealthy engine (503) → ENGINE_REFUSED with the engine message', async (t) => {
  const loading = { status: 503, body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } } };
  const server = await serve(t, { ...ENGINE_SCRIPTS.llamacpp, routes: { ...ENGINE_SCRIPTS.llamacpp.routes, '/health': loading } });
  const error = await preflightError(t, 'llamacpp', server.url, SERVED_MODEL.llamacpp);
  t.is(error.code, 'ENGINE_REFUSED');
  t.is(error.message, `llamacpp at ${server.url} is not ready: GET /health answered HTTP 503: Loading model (unavailable_error)`);
  t.regex(error.hint ?? '', /wait until the server has loaded the model/);
});

test('preflight: vLLM with a dead engine (503, empty body) → ENGINE_REFUSED', async (t) => {
  const server = await serve(t, { ...ENGINE_SCRIPTS.vllm, routes: { ...ENGINE_SCRIPTS.vllm.routes, '/health': { status: 503, body: '' } } });
  const error = await preflightError(t, 'vllm', server.url, SERVED_MODEL.vllm);
  t.is(error.code, 'ENGINE_REFUSED');
  t.regex(error.message, /is not ready: GET \/health answered HTTP 503: \(empty body\)/);
});

test('preflight: 401 from a hosted API → ENGINE_REFUSED with an API key hint', async (t) => {
  const unauthorized = { status: 401, body: { error: { message: 'Missing bearer authentication in header', type: 'invalid_request_error', param: null, code: null } } };
  const server = await serve(t, { routes: { '/v1/models': unauthorized } });
  const error = await preflightError(t, 'openai', server.url, 'gpt-4o-mini');
  t.is(error.code, 'ENGINE_REFUSED');
  t.regex(error.message, /refused the request: GET \/v1\/models answered HTTP 401: Missing bearer authentication in header/);
  t.regex(error.hint ?? '', /--api-key-env/);
});

test('preflight ollama: "llama3.2" means "llama3.2:latest"; no models pulled → pull hint', async (t) => {
  const latest = { body: { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }] } };
  const server = await serve(t, { ...ENGINE_SCRIPTS.ollama, routes: { ...ENGINE_SCRIPTS.ollama.routes, '/api/tags': latest } });
  const info = await adapterFor('ollama').preflight(testPreflightHttp(server.url), 'llama3.2');
  t.deepEqual(info.models, ['llama3.2:latest']);

  const empty = await serve(t, { ...ENGINE_SCRIPTS.ollama, routes: { ...ENGINE_SCRIPTS.ollama.routes, '/api/tags': { body: { models: [] } } } });
  const error = await preflightError(t, 'ollama', empty.url, 'llama3.2');
  t.is(error.code, 'ENGINE_REFUSED');
  t.is(error.message, `model "llama3.2" is not served by ollama at ${empty.url}; it lists no models`);
  t.is(error.hint, 'pull it first: ollama pull llama3.2');
});

test('preflight tgi: the placeholder model name "tgi" is accepted (TGI ignores the name)', async (t) => {
  const server = await serve(t, ENGINE_SCRIPTS.tgi);
  const info = await adapterFor('tgi').preflight(testPreflightHttp(server.url), 'tgi');
  t.deepEqual(info.models, ['meta-llama/Llama-3.1-8B-Instruct']);
});

test('preflight llamacpp: a model alias is accepted', async (t) => {
  const server = await serve(t, ENGINE_SCRIPTS.llamacpp);
  const info = await adapterFor('llamacpp').preflight(testPreflightHttp(server.url), 'tiny');
  t.deepEqual(info.models, ['llmbench-tiny']);
});

test('preflight: several served models are all listed in the refusal', async (t) => {
  const server = await serve(t, ENGINE_SCRIPTS.ollama);
  const error = await preflightError(t, 'ollama', server.url, 'mistral');
  t.is(error.message, `model "mistral" is not served by ollama at ${server.url}; it serves: llama3.2:3b, qwen3:latest`);
  t.is(error.hint, 'use --model with one of: llama3.2:3b, qwen3:latest');
});

test('preflight: without a baseUrl on the http the message still reads', async (t) => {
  const url = await closedPortUrl();
  const { baseUrl: _omitted, ...http } = testPreflightHttp(url);
  const error = await t.throwsAsync(adapterFor('vllm').preflight(http, 'm'), { instanceOf: EngineError });
  t.regex(error?.message ?? '', /^cannot reach vllm at the --url target: connect ECONNREFUSED/);
});
