/**
 * The simulator's fault flags, every engine dialect, mixed under load: each record's error kind follows from what
 * the simulator's ground truth says it did to that request (by x-request-id), every request it saw has exactly
 * one record, and the run completes.
 */
import test from 'ava';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { ErrorKind } from '../../pipeline/core/record.js';
import type { RunEvent, RunSink } from '../../pipeline/core/sink.js';
import { ENGINE_KINDS } from '../../pipeline/core/engine.js';
import { runBenchmark } from '../../pipeline/run/run-benchmark.js';
import { applyOverrides, compileScenario, loadScenario } from '../../pipeline/scenario/index.js';
import { startSimulator, type FaultKind, type GroundTruthRecord } from '../../simulator/index.js';

const REQUESTS = 60;
const IDLE_TIMEOUT_MS = 500;
const STALL_MS = 2000;

class CollectingSink implements RunSink {
  readonly name = 'collect';
  readonly records: RequestRecord[] = [];
  write(event: RunEvent): void {
    if (event.kind === 'records') this.records.push(...event.records);
  }
}

/** The kinds a request may end with, given the faults the simulator put in it (the first to strike decides). */
function allowedKinds(truth: GroundTruthRecord): ReadonlyArray<ErrorKind | 'ok'> {
  if (truth.faults.includes('error_status')) return [truth.status === 429 || truth.status === 503 ? 'overloaded' : 'http_5xx'];
  const byFault: Partial<Record<FaultKind, ErrorKind>> = { disconnect: 'connection_reset', stall: 'timeout_idle', malformed: 'protocol', mid_stream_error: 'protocol' };
  const kinds = truth.faults.map((fault) => byFault[fault]).filter((kind): kind is ErrorKind => kind !== undefined);
  return kinds.length > 0 ? kinds : ['ok'];
}

for (const engine of ENGINE_KINDS) {
  test.serial(`${engine}: mixed simulator faults under load, each request's kind from the server's account, none lost`, async (t) => {
    const sim = await startSimulator({
      engine,
      seed: 5,
      fixed: { ttftMs: 5, itlMs: 5 },
      faults: { errorRate: 0.1, errorStatus: engine === 'tgi' ? 429 : 500, disconnectRate: 0.1, stallRate: 0.1, stallMs: STALL_MS, malformedRate: 0.1, midStreamErrorRate: 0.1 },
    });
    t.teardown(() => sim.close());
    const scenario = applyOverrides(await loadScenario('quick'), {
      engine, url: sim.url, model: 'sim', concurrency: 6, requests: REQUESTS, warmup: 0, maxTokens: 8, promptTokens: 4,
    });
    const plan = compileScenario(scenario);
    const sink = new CollectingSink();
    const { result } = await runBenchmark({ ...plan, workload: { ...plan.workload, idleTimeoutMs: IDLE_TIMEOUT_MS } }, {
      scenarioName: `sim-faults-${engine}`,
      scenario: {},
      workers: 1,
      sinks: [sink],
    });
    t.is(result.status, 'completed');
    t.is(sink.records.length, REQUESTS);
    const byId = new Map(sink.records.map((record) => [record.request_id, record]));
    t.is(byId.size, REQUESTS, 'no request recorded twice');
    const truths = sim.groundTruth();
    const wrong: string[] = [];
    for (const truth of truths) {
      const record = byId.get(truth.request_id);
      const allowed = allowedKinds(truth);
      const got = record ? (record.status === 'ok' ? 'ok' : record.error_kind) : 'no record';
      if (!allowed.includes(got as ErrorKind)) wrong.push(`${truth.request_id} [${truth.faults.join(',') || 'no fault'}]: ${got} (${record?.error_message ?? ''}), expected ${allowed.join(' or ')}`);
    }
    t.deepEqual(wrong, []);
    t.true(new Set(truths.map((truth) => truth.request_id)).size >= REQUESTS, 'the server saw every request');
    t.true(truths.some((truth) => truth.faults.length > 0) && truths.some((truth) => truth.faults.length === 0), 'faulty and clean requests both');
  });
}
