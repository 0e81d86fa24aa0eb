/**
 * The simulator's llama.cpp dialect against recordings of the real server (test/fixtures/llamacpp/, made by
 * `npx tsx bench/llamacpp/record-fixtures.ts` from Debian's llama-server). The same requests, in the same
 * order, go to a simulator configured like the recorded server (model alias, slots, n_ctx); each answer must
 * have the real one's status, content type and shape: JSON keys and types at every level, SSE framing, event
 * sequence and terminator, Prometheus metric names and types. Values (timings, ids, text) may differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { sendExchange, type ExchangeAnswer, type FixtureManifest } from '../../bench/llamacpp/fidelity-exchanges.js';
import { BUILD_INFO } from '../../simulator/dialects/llamacpp.js';
import { startSimulator } from '../../simulator/index.js';
import { eventLabel, eventSequence, metricTypes, shapeDiffs, ssePayloads } from './fidelity-shapes.js';
import { FAST_PERF } from './sim-client.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/llamacpp/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as FixtureManifest;
const realBody = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');

const answers = new Map<string, ExchangeAnswer>();

test.before(async () => {
  const { model, slots, n_ctx: nCtx } = manifest.server;
  const sim = await startSimulator({ engine: 'llamacpp', model, perf: { ...FAST_PERF, slots, maxModelLen: nCtx } });
  try {
    // In the recorded order: /slots first sees unused slots, /metrics last counts these requests.
    for (const exchange of manifest.exchanges) answers.set(exchange.name, await sendExchange(sim.url, exchange));
  } finally {
    await sim.close();
  }
});

test('the simulator reports the recorded build', (t) => {
  t.is(BUILD_INFO, manifest.server.build_info, 'update BUILD_INFO in simulator/dialects/llamacpp.ts with the new recording');
});

for (const exchange of manifest.exchanges) {
  test(`${exchange.name}: ${exchange.method} ${exchange.path} answers like llama-server`, (t) => {
    const sim = answers.get(exchange.name)!;
    const real = realBody(exchange.file);
    t.is(sim.status, exchange.status);
    t.is(sim.contentType, exchange.content_type);

    if (exchange.content_type.startsWith('text/event-stream')) {
      const realEvents = ssePayloads(real);
      const simEvents = ssePayloads(sim.body);
      // Role chunk, content, finish `delta:{}`, usage, where `timings` ride, and the terminator ([DONE] or stop:true).
      t.deepEqual(eventSequence(simEvents), eventSequence(realEvents));
      const firstRealOf = new Map<string, string>();
      for (const payload of realEvents) if (!firstRealOf.has(eventLabel(payload))) firstRealOf.set(eventLabel(payload), payload);
      for (const payload of simEvents) {
        const label = eventLabel(payload);
        const realPayload = firstRealOf.get(label);
        if (realPayload === undefined || label === '[DONE]') continue; // a missing label already failed the sequence
        t.deepEqual(shapeDiffs(JSON.parse(realPayload), JSON.parse(payload)), [], `${label} event`);
      }
    } else if (exchange.content_type.startsWith('application/json')) {
      t.deepEqual(shapeDiffs(JSON.parse(real), JSON.parse(sim.body)), []);
    } else {
      t.deepEqual([...metricTypes(sim.body)].sort(), [...metricTypes(real)].sort());
    }
  });
}
