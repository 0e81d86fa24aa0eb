/**
 * A worker thread that dies mid-run (a wrapper worker file that throws an uncaught exception after a dozen
 * records): its requests in flight get `worker_died` records, the other worker's records all arrive, and the run
 * ends failed with the reason. Checked against the simulator's ground truth: every request it saw has exactly
 * one record.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import type { RequestRecord } from '../../../pipeline/core/record.js';
import type { RunEvent, RunSink } from '../../../pipeline/core/sink.js';
import { runBenchmark } from '../../../pipeline/run/run-benchmark.js';
import { applyOverrides, compileScenario, loadScenario } from '../../../pipeline/scenario/index.js';
import { startSimulator } from '../../../simulator/index.js';

const CRASHING_WORKER = fileURLToPath(new URL('./fixtures/crashing-worker.mjs', import.meta.url));

class CollectingSink implements RunSink {
  readonly name = 'collect';
  readonly records: RequestRecord[] = [];
  write(event: RunEvent): void {
    if (event.kind === 'records') this.records.push(...event.records);
  }
}

test('a worker that dies: its in-flight requests recorded as worker_died, nothing of the other worker lost, the run failed with the reason', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 10 } });
  t.teardown(() => sim.close());
  const scenario = applyOverrides(await loadScenario('quick'), {
    engine: 'vllm', url: sim.url, model: 'sim', concurrency: 8, duration: '30s', warmup: 0, maxTokens: 10, promptTokens: 4,
  });
  const sink = new CollectingSink();
  const { result } = await runBenchmark(compileScenario(scenario), {
    scenarioName: 'worker-death',
    scenario: {},
    workers: 2,
    sinks: [sink],
    workerFile: CRASHING_WORKER,
    gracefulStopMs: 5000,
  });
  t.is(result.status, 'failed');
  t.regex(result.abort_reason ?? '', /worker thread 0 died \(injected worker crash\); its [1-9]\d* requests in flight were recorded as worker_died/);

  const ids = sink.records.map((record) => record.request_id);
  t.is(new Set(ids).size, ids.length, 'no request recorded twice');
  const died = sink.records.filter((record) => record.error_kind === 'worker_died');
  t.true(died.length >= 1 && died.length <= 4, `${died.length} worker_died records (worker 0 runs 4 users)`);
  t.true(died.every((record) => record.worker === 0 && record.status === 'error' && /injected worker crash/.test(record.error_message ?? '')));
  t.true(died.every((record) => record.user !== undefined || /intended time is unknown/.test(record.error_message ?? '')));
  const other = sink.records.filter((record) => record.worker === 1);
  t.true(other.length > 0 && other.every((record) => record.error_kind !== 'worker_died'));
  t.is(result.summary.requests.total, sink.records.length);
  t.is(result.summary.errors_by_kind['worker_died'], died.length);

  // The server's account: every request it saw from either worker has exactly one record.
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the server see the dead worker's sockets close
  const recorded = new Set(ids);
  const unrecorded = sim.groundTruth().map((truth) => truth.request_id).filter((id) => !recorded.has(id));
  t.deepEqual(unrecorded, [], 'requests the server saw without a record');
});
