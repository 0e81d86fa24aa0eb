/** `push` against a real VictoriaMetrics: a run directory, twice, and the spill files of a failed live run. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { InfluxConfig } from '../../pipeline/sinks/influx-config.js';
import { createInfluxSink } from '../../pipeline/sinks/influxdb.js';
import { pushRun } from '../../pipeline/sinks/push-run.js';
import { startInfluxProxy } from '../helpers/influx-proxy.js';
import { noticeIfMissing, sampleCount, victoriaMetricsFor, vmTest, type VictoriaMetrics } from '../helpers/victoria-metrics.js';
import { droppedRecord, errorRecord, okRecord, runResult, runStart } from '../pipeline/sinks/helpers/records.js';
import { writeRunDir } from '../pipeline/sinks/helpers/run-dir.js';

noticeIfMissing();

/** 40 requests 25 ms apart with 16 tokens 3 ms apart: every point in its own millisecond (VM keeps ms). */
function recordsOf(runId: string): RequestRecord[] {
  const baseMs = Date.now() - 120_000;
  const ok = Array.from({ length: 40 }, (_, i) => okRecord({ requestId: `${runId}-${i}`, sendMs: baseMs + i * 25 + 0.5, tokens: 16, gapMs: 3, ttftMs: 7 }));
  return [...ok, droppedRecord(`${runId}-d`, baseMs + 5_000.5), errorRecord(`${runId}-e`, baseMs + 6_000.5)].map((r) => ({ ...r, run_id: runId }));
}

async function distinctSamples(vm: VictoriaMetrics, runId: string): Promise<string[]> {
  const keys = new Set<string>();
  for (const series of await vm.exportSeries(`{run_id="${runId}"}`)) {
    const labels = JSON.stringify(Object.entries(series.metric).sort());
    for (const ts of series.timestamps) keys.add(`${labels} ${ts}`);
  }
  return [...keys].sort();
}

vmTest('push of an offline run delivers the same counts, and pushing twice adds nothing new', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const proxy = await startInfluxProxy(vm.url);
  t.teardown(() => proxy.close());
  const runId = `it-push-${Date.now()}`;
  const dir = await writeRunDir(recordsOf(runId), [], runResult({ run_id: runId, ended_at: new Date().toISOString() }));
  const config: InfluxConfig = { url: proxy.url, org: 'bench', bucket: 'llm' };

  const report = await pushRun(dir, config);
  t.like(report.points, { llm_request: 42, llm_token: 640, llm_run: 1 });
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${runId}"}`), 42);
  t.is(await sampleCount(vm, `llm_token_index{run_id="${runId}"}`), 640);
  const first = await distinctSamples(vm, runId);
  const firstLines = proxy.requests.flatMap((r) => r.body.split('\n')).filter(Boolean);

  await pushRun(dir, config);
  const secondLines = proxy.requests.flatMap((r) => r.body.split('\n')).filter(Boolean).slice(firstLines.length);
  t.deepEqual(secondLines, firstLines, 'the second push sends the very same points and timestamps');
  t.deepEqual(await distinctSamples(vm, runId), first, 'no new series or timestamps in the server');
});

vmTest('a live run whose InfluxDB died spills to the run directory; push delivers every point later', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const runId = `it-spill-${Date.now()}`;
  const records = recordsOf(runId);
  const result = runResult({ run_id: runId, ended_at: new Date().toISOString() });
  const dir = await writeRunDir(records, [], result);
  const config: InfluxConfig = { url: vm.url, org: 'bench', bucket: 'llm' };

  const sink = createInfluxSink(config, { spillDir: dir, flushIntervalMs: 60_000, batchSize: 100, finalRetryMs: 1_000, onNotice: (line) => t.log(line) });
  await sink.open(runStart({ runId, scenario: 'quick', engine: 'vllm', model: 'tiny' }));
  await vm.stop();
  sink.write({ kind: 'records', records: records });
  const report = (await sink.close(result)).sinkReport!;
  t.like(report, { written: 0, lost: 0 });
  t.true(Number(report.spilled) > 0);
  t.true((await readdir(join(dir, 'influx-spill'))).length > 0);

  await vm.restart();
  const pushed = await pushRun(dir, config);
  t.is(pushed.spillLines, Number(report.spilled));
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${runId}"}`) / 2, 42, 'each point twice: spilled line and recomputed point');
  const distinct = await distinctSamples(vm, runId);
  const tokenSeries = [...distinct].filter((key) => key.includes('"llm_token_index"'));
  t.is(tokenSeries.length, 640, 'the spilled and the recomputed points coincide exactly');
});
