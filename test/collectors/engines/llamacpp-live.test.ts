/**
 * The llamacpp and openai adapters against a real llama-server (DESIGN §13: Debian's build on a generated
 * tiny model, via shared/tools/llama-server.sh). Runs when that server is already unpacked in its cache
 * folder (the script downloads it on first use, which a unit test must not do); skips with a notice otherwise,
 * and fails under CI=true (.ci/run unpacks it first; a skip there would hide that it did not).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { request } from 'undici';
import type { EngineAdapter, GenerationRequest, ServerReport, StreamEvent } from '../../../pipeline/core/engine.js';
import { llamacpp } from '../../../collectors/engines/llamacpp.js';
import { openai } from '../../../collectors/engines/openai.js';
import { generationRequest } from './stream-harness.js';
import { testPreflightHttp } from './scripted-server.js';

const cache = process.env.LLAMACPP_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'llmbench-llamacpp');
const script = ['shared/tools/llama-server.sh', '../shared/tools/llama-server.sh'].map((p) => resolve(p)).find((p) => existsSync(p));
const available = script !== undefined && existsSync(join(cache, 'root/usr/bin/llama-server'));
if (!available) console.log('llamacpp-live: no unpacked llama-server in the cache; run shared/tools/llama-server.sh once to enable these tests');
const live = available ? test.serial : test.skip;
if (!available && process.env.CI === 'true') test('llamacpp-live', (t) => t.fail('CI=true and no unpacked llama-server in the cache (.ci/run prepares it)'));

let server: ChildProcess | undefined;
let baseUrl = '';

test.before(async () => {
  if (!available) return;
  server = spawn('bash', [script!, '--port', '0', '--parallel', '2', '--size', 'tiny'], { stdio: ['ignore', 'pipe', 'pipe'] });
  baseUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('llama-server did not start within 60 s')), 60_000);
    const onData = (chunk: Buffer) => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    server!.stdout!.on('data', onData);
    server!.stderr!.on('data', onData);
    server!.once('exit', (code) => reject(new Error(`llama-server exited with ${code}`)));
  });
});

test.after.always(() => {
  server?.kill('SIGTERM');
});

/** A minimal runner: one POST, each read decoded and pushed, the way pipeline/pool does it. */
async function run(adapter: EngineAdapter, generation: GenerationRequest) {
  const spec = adapter.buildRequest(generation);
  const response = await request(baseUrl + spec.path, { method: spec.method, headers: spec.headers, body: spec.body ?? null });
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let text = '';
  const parser = generation.stream ? adapter.createStreamParser(generation) : undefined;
  for await (const chunk of response.body) {
    const decoded = decoder.decode(chunk as Buffer, { stream: true });
    if (parser) events.push(...parser.push(decoded));
    else text += decoded;
  }
  if (parser) events.push(...parser.push(decoder.decode()), ...parser.finish());
  let report: ServerReport = { raw: {} };
  for (const event of events) if (event.type === 'report') report = { ...report, ...event.report, raw: { ...report.raw, ...event.report.raw } };
  const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)]));
  return { status: response.statusCode, events, report, nonStream: parser ? undefined : adapter.parseResponse(response.statusCode, headers, text, generation) };
}

const tokensIn = (events: StreamEvent[]) => events.reduce((sum, e) => sum + (e.type === 'content' ? e.tokens : 0), 0);
const N = 24;

live('live llama-server: preflight of the llamacpp and openai adapters', async (t) => {
  const info = await llamacpp.preflight(testPreflightHttp(baseUrl), 'llmbench-tiny');
  t.deepEqual(info.models, ['llmbench-tiny']);
  t.is(info.details?.total_slots, 2);
  t.deepEqual((await openai.preflight(testPreflightHttp(baseUrl), 'llmbench-tiny')).models, ['llmbench-tiny']);
  const refused = await t.throwsAsync(llamacpp.preflight(testPreflightHttp(baseUrl), 'llama3'));
  t.regex(refused?.message ?? '', /model "llama3" is not served by llamacpp .* it serves: llmbench-tiny/);
});

for (const api of ['native', 'completions'] as const) {
  live(`live llama-server ${api}: exactly N tokens, every one counted from the engine's counter, server timings`, async (t) => {
    const { status, events, report } = await run(llamacpp, generationRequest({ api, model: 'llmbench-tiny', maxTokens: N, requestId: `live-${api}` }));
    t.is(status, 200);
    t.false(events.some((e) => e.type === 'error'), JSON.stringify(events.filter((e) => e.type === 'error')));
    t.is(events.at(-1)?.type, 'end');
    t.true(events.every((e) => e.type !== 'content' || e.counted));
    t.is(tokensIn(events), N);
    t.is(report.outputTokens, N);
    t.is(report.finishReason, 'length');
    t.true((report.promptEvalDurationMs ?? 0) > 0 && (report.evalDurationMs ?? 0) > 0 && (report.promptTokenRateEngine ?? 0) > 0);
    t.is(report.raw['timings.predicted_n'], N);
  });
}

live('live llama-server chat: role chunk ignored, N from usage, timings at [DONE]', async (t) => {
  for (const adapter of [llamacpp, openai]) {
    const { events, report } = await run(adapter, generationRequest({ api: 'chat', model: 'llmbench-tiny', maxTokens: N }));
    t.is(events.at(-1)?.type, 'end', adapter.kind);
    t.false(events.some((e) => e.type === 'error'), adapter.kind);
    t.is(report.outputTokens, N, adapter.kind);
    // The chat format parser of this noise model may stream fewer content chunks than tokens, even none
    // (seen: only `delta: {}` then usage 24): the total is the usage count, never the chunk count.
    t.true(tokensIn(events) <= N, adapter.kind);
    t.true((report.evalDurationMs ?? 0) > 0, adapter.kind);
  }
});

live('live llama-server: non-stream native and /v1 responses', async (t) => {
  for (const api of ['native', 'completions', 'chat'] as const) {
    const { nonStream } = await run(llamacpp, generationRequest({ api, stream: false, model: 'llmbench-tiny', maxTokens: N }));
    t.is(nonStream?.error, undefined, api);
    t.is(nonStream?.report.outputTokens, N, api);
    t.true((nonStream?.report.promptEvalDurationMs ?? 0) > 0, api);
  }
});

live('live llama-server: a real 400 body is classified with its message', async (t) => {
  const response = await request(`${baseUrl}/completion`, { method: 'POST', body: '{"prompt":"x","n_predict":"many"}', headers: { 'content-type': 'application/json' } });
  const body = await response.body.text();
  const { kind, message } = llamacpp.classifyError(response.statusCode, body);
  t.is(kind, 'http_4xx');
  t.regex(message, /^HTTP 400: .*n_predict.* \(invalid_request_error\)$/);
});
