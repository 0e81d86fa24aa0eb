/**
 * Every adapter against the simulator's dialect of its engine, over a real socket: the adapters and the
 * simulator were both written from engine-apis.md, so this catches either side drifting from it. Checks
 * token counts against the simulator's ground truth (GET /__sim/requests), and each injected fault.
 */
import test from 'ava';
import { request } from 'undici';
import { ENGINE_KINDS, type ApiKind, type EngineKind, type ServerReport, type StreamEvent } from '../../../pipeline/core/engine.js';
import { startSimulator, type Faults } from '../../../simulator/index.js';
import { adapterFor } from '../../../collectors/engines/index.js';
import { generationRequest } from './stream-harness.js';
import { testPreflightHttp } from './scripted-server.js';

const N = 12;

async function exchange(url: string, engine: EngineKind, api: ApiKind, stream: boolean, requestId: string) {
  const adapter = adapterFor(engine);
  const generation = generationRequest({ api, stream, requestId, model: 'sim', maxTokens: N, prompt: 'nonce-7 tell me a long story' });
  const spec = adapter.buildRequest(generation);
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url + spec.path, { method: spec.method, headers: spec.headers, body: spec.body ?? null });
  } catch (error) {
    // A disconnect can land before undici has handed over the response.
    return { status: 0, events: [], report: { raw: {} }, transportError: (error as Error).message, tokens: 0, nonStream: undefined, httpError: undefined };
  }
  const decoder = new TextDecoder();
  const parser = stream && response.statusCode < 400 ? adapter.createStreamParser(generation) : undefined;
  const events: StreamEvent[] = [];
  let text = '';
  let transportError: string | undefined;
  try {
    for await (const chunk of response.body) {
      const decoded = decoder.decode(chunk as Buffer, { stream: true });
      if (parser) events.push(...parser.push(decoded));
      else text += decoded;
    }
  } catch (error) {
    transportError = (error as Error).message;
  }
  if (parser && !transportError) events.push(...parser.finish());
  let report: ServerReport = { raw: {} };
  for (const e of events) if (e.type === 'report') report = { ...report, ...e.report, raw: { ...report.raw, ...e.report.raw } };
  const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)]));
  return {
    status: response.statusCode,
    events,
    report,
    transportError,
    tokens: events.reduce((sum, e) => sum + (e.type === 'content' ? e.tokens : 0), 0),
    nonStream: parser || response.statusCode >= 400 ? undefined : adapter.parseResponse(response.statusCode, headers, text, generation),
    httpError: response.statusCode >= 400 ? adapter.classifyError(response.statusCode, text) : undefined,
  };
}

for (const engine of ENGINE_KINDS) {
  test(`simulator ${engine}: preflight, and every API streamed and not, with N tokens matching ground truth`, async (t) => {
    const sim = await startSimulator({ engine, model: 'sim', fixed: { ttftMs: 2, itlMs: 1 } });
    t.teardown(() => sim.close());
    const info = await adapterFor(engine).preflight(testPreflightHttp(sim.url), 'sim');
    t.is(info.engine, engine);
    for (const api of adapterFor(engine).supportedApis) {
      for (const stream of [true, false]) {
        const id = `${engine}-${api}-${stream ? 's' : 'n'}`;
        const result = await exchange(sim.url, engine, api, stream, id);
        const truth = sim.groundTruth().find((r) => r.request_id === id);
        if (!truth) return t.fail(`${id}: no ground truth`);
        t.is(result.status, 200, id);
        if (stream) {
          t.deepEqual(result.events.filter((e) => e.type === 'error'), [], id);
          t.is(result.events.at(-1)?.type, 'end', id);
          t.is(result.tokens, truth.output_tokens, `${id}: client token count vs ground truth`);
          t.is(result.report.outputTokens, truth.output_tokens, `${id}: server count vs ground truth`);
        } else {
          t.is(result.nonStream?.error, undefined, id);
          t.is(result.nonStream?.report.outputTokens, truth.output_tokens, id);
        }
        t.true(truth.output_tokens > 0 && truth.output_tokens <= N, id);
      }
    }
  });
}

const faults: Array<[string, Partial<Faults>, (t: import('ava').ExecutionContext, r: Awaited<ReturnType<typeof exchange>>, engine: EngineKind) => void]> = [
  ['a mid-stream error event', { midStreamErrorRate: 1 }, (t, r, engine) => {
    t.like(r.events.find((e) => e.type === 'error'), { kind: 'protocol' }, engine);
    t.regex((r.events.find((e) => e.type === 'error') as { message: string }).message, /^engine error mid-stream: /, engine);
  }],
  ['a malformed chunk', { malformedRate: 1 }, (t, r, engine) => {
    t.regex((r.events.find((e) => e.type === 'error') as { message: string } | undefined)?.message ?? '', /^malformed JSON in stream/, engine);
  }],
  ['a disconnect mid-stream', { disconnectRate: 1 }, (t, r, engine) => {
    t.truthy(r.transportError, engine);
    t.false(r.events.some((e) => e.type === 'end'), engine);
  }],
  ['an error status', { errorRate: 1, errorStatus: 503 }, (t, r, engine) => {
    t.is(r.httpError?.kind, 'overloaded', engine);
    t.regex(r.httpError?.message ?? '', /^HTTP 503: /, engine);
  }],
];
for (const [name, fault, check] of faults) {
  test(`simulator faults: ${name} is seen by every adapter`, async (t) => {
    for (const engine of ENGINE_KINDS) {
      const sim = await startSimulator({ engine, model: 'sim', fixed: { ttftMs: 2, itlMs: 1 }, faults: fault });
      try {
        check(t, await exchange(sim.url, engine, adapterFor(engine).defaultApi, true, `fault-${engine}`), engine);
      } finally {
        await sim.close();
      }
    }
  });
}

test('simulator: chunks carrying several tokens are counted from the engine counters, matching ground truth', async (t) => {
  // The engines whose simulator dialect merges tokens (vLLM stream_interval, SGLang stream_interval).
  for (const engine of ['vllm', 'sglang'] as const) {
    const sim = await startSimulator({ engine, model: 'sim', seed: 3, perf: { tokensPerChunk: 3, decodeStepBaseMs: 0.5, decodeMsPerSequence: 0, prefillMsPerToken: 0.01 } });
    try {
      const result = await exchange(sim.url, engine, adapterFor(engine).defaultApi, true, `multi-${engine}`);
      const truth = sim.groundTruth().find((r) => r.request_id === `multi-${engine}`);
      if (!truth) return t.fail(`${engine}: no ground truth`);
      const content = result.events.filter((e): e is Extract<StreamEvent, { type: 'content' }> => e.type === 'content');
      t.true(content.some((e) => e.tokens > 1), `${engine}: ${JSON.stringify(content)}`);
      t.true(content.every((e) => e.counted), engine);
      t.is(result.tokens, truth.output_tokens, engine);
      t.is(content.length, truth.chunks, engine);
    } finally {
      await sim.close();
    }
  }
});
