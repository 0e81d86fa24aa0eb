/**
 * Outages in the middle of a run against a real VictoriaMetrics: a 4 s window of 503s (a proxy in front),
 * and the server itself stopped and restarted. Afterwards every point has arrived, retries are counted,
 * nothing is lost or spilled.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { SinkReport } from '../../pipeline/core/sink.js';
import { createInfluxSink } from '../../pipeline/sinks/influxdb.js';
import { startInfluxProxy } from '../helpers/influx-proxy.js';
import { noticeIfMissing, sampleCount, victoriaMetricsFor, vmTest } from '../helpers/victoria-metrics.js';
import { okRecord, runResult, runStart } from '../pipeline/sinks/helpers/records.js';

noticeIfMissing();

const RECORDS = 100;
const TOKENS = 8;

/** A 10 s run: one request (8 tokens) every 100 ms; `at(ms)` hooks fire at those offsets. */
async function streamRun(t: ExecutionContext, url: string, runId: string, at: Record<number, () => void | Promise<void>>): Promise<SinkReport> {
  const runDir = await mkdtemp(join(tmpdir(), 'llmbench-it-'));
  const sink = createInfluxSink({ url, org: 'bench', bucket: 'llm' }, { spillDir: runDir, onNotice: (line) => t.log(line) });
  await sink.open(runStart({ runId, scenario: 'outage', engine: 'vllm', model: 'tiny' }));
  const started = Date.now();
  for (let i = 0; i < RECORDS; i++) {
    const offsetMs = i * 100;
    const hook = at[offsetMs];
    if (hook) await hook();
    const waitMs = started + offsetMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const record = okRecord({ requestId: `${runId}-${i}`, sendMs: Date.now() - 500, tokens: TOKENS });
    sink.write({ kind: 'records', records: [{ ...record, run_id: runId }] });
  }
  const report = (await sink.close(runResult({ run_id: runId, scenario: { name: 'outage' }, ended_at: new Date().toISOString() }))).sinkReport!;
  t.log(JSON.stringify(report));
  return report;
}

vmTest('InfluxDB answering 503 for 4 s in the middle of a 10 s run: everything arrives, retries counted, lost = 0', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const proxy = await startInfluxProxy(vm.url);
  t.teardown(() => proxy.close());
  const runId = `it-503-${Date.now()}`;
  const report = await streamRun(t, proxy.url, runId, {
    3000: () => proxy.refuseWrites(true),
    7000: () => proxy.refuseWrites(false),
  });
  t.true(proxy.requests.filter((r) => r.status === 503).length > 0, 'the outage really refused writes');
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${runId}"}`), RECORDS);
  t.is(await sampleCount(vm, `llm_token_index{run_id="${runId}"}`), RECORDS * TOKENS);
  t.true(Number(report.retried) > 0);
  t.true(Number(report.failed_requests) > 0);
  t.like(report, { lost: 0, spilled: 0 });
});

vmTest('the server killed and restarted mid-run: everything arrives after it is back, lost = 0', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const runId = `it-restart-${Date.now()}`;
  const report = await streamRun(t, vm.url, runId, {
    3000: () => vm.stop(), // SIGTERM: a real process exit; connections are refused until the restart
    6000: () => vm.restart(),
  });
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${runId}"}`), RECORDS);
  t.is(await sampleCount(vm, `llm_token_index{run_id="${runId}"}`), RECORDS * TOKENS);
  t.true(Number(report.retried) > 0);
  t.like(report, { lost: 0, spilled: 0 });
});
