import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { BenchError, SinkError } from '../../../pipeline/core/errors.js';
import type { Point } from '../../../pipeline/core/point.js';
import { Secret, type InfluxConfig } from '../../../pipeline/sinks/influx-config.js';
import { createInfluxSink } from '../../../pipeline/sinks/influxdb.js';
import { pushRun } from '../../../pipeline/sinks/push-run.js';
import { pointKey } from './helpers/line-keys.js';
import { concurrentRecords, droppedRecord, errorRecord, finishRun, runResult, runStart } from './helpers/records.js';
import { conflictingSeries, writeRunDir } from './helpers/run-dir.js';
import { influxError, startScriptedInflux, type Script } from './helpers/scripted-influx.js';

const records = [...concurrentRecords(30, 16), droppedRecord(), errorRecord()];
const resources: Point[] = [0, 1, 2].map((i) => ({ measurement: 'gpu', tags: { gpu: '0', host: 'h' }, fields: { util_pct: 90 + i }, time_ms: 1_795_800_001_000 + i * 1000 }));

async function server(t: import('ava').ExecutionContext, script: Script = {}) {
  const influx = await startScriptedInflux(script);
  t.teardown(() => influx.close());
  const config: InfluxConfig = { url: influx.url, org: 'bench', bucket: 'llm', token: new Secret('push-token') };
  return { influx, config };
}

test('push delivers every point of a run directory, counted by measurement', async (t) => {
  const { influx, config } = await server(t);
  const dir = await writeRunDir(records, resources, runResult());
  const report = await pushRun(dir, config);
  t.is(report.points.llm_request, 32);
  t.is(report.points.llm_token, 480);
  t.is(report.points.gpu, 3);
  t.is(report.points.llm_run, 1);
  t.true((report.points.llm_window ?? 0) >= 1);
  t.is(report.written, influx.lines.length);
  t.is(new Set(influx.lines.map(pointKey)).size, influx.lines.length, 'no point overwrites another');
  t.true(influx.lines.filter((line) => line.startsWith('gpu')).every((line) => line.includes('run_id=run-1')));
});

test('pushing twice sends exactly the same points with the same timestamps', async (t) => {
  const { influx, config } = await server(t);
  const dir = await writeRunDir(records, resources, runResult());
  await pushRun(dir, config);
  const first = [...influx.lines];
  await pushRun(dir, config);
  t.deepEqual(influx.lines.slice(first.length), first);
});

test('push writes what the live sink wrote: the same point set, no series written twice', async (t) => {
  const { influx, config } = await server(t);
  const dir = await writeRunDir(records, resources, runResult());
  const sink = createInfluxSink(config, { spillDir: dir, onNotice: () => {} });
  await sink.open(runStart());
  for (let i = 0; i < records.length; i += 5) sink.write({ kind: 'records', records: records.slice(i, i + 5) });
  sink.write({ kind: 'resources', points: resources });
  await finishRun(sink, records, runResult());

  const { influx: other, config: otherConfig } = await server(t);
  await pushRun(dir, otherConfig);
  t.deepEqual([...other.lines].sort(), [...influx.lines].sort());
  t.is(other.lines.length, influx.lines.length);
  t.deepEqual(conflictingSeries([...influx.lines, ...other.lines], pointKey), []);
  t.true(influx.lines.some((line) => line.startsWith('llm_window')));
});

test('a run without windows.jsonl (killed before any window was final) gets its windows from its records', async (t) => {
  const { influx, config } = await server(t);
  const withWindows = await writeRunDir(records, resources, runResult());
  await pushRun(withWindows, config);
  const expected = influx.lines.filter((line) => line.startsWith('llm_window'));
  const { influx: other, config: otherConfig } = await server(t);
  await pushRun(await writeRunDir(records, resources, runResult(), { windows: false }), otherConfig);
  t.true(expected.length > 0);
  t.deepEqual(other.lines.filter((line) => line.startsWith('llm_window')), expected);
});

test('records replayed in another order occupy the same timestamps (so a replay never duplicates)', async (t) => {
  const { influx, config } = await server(t);
  const forward = await writeRunDir(records, resources, runResult());
  const backward = await writeRunDir([...records].reverse(), resources, runResult());
  await pushRun(forward, config);
  const firstKeys = influx.lines.map(pointKey).sort();
  const count = influx.lines.length;
  await pushRun(backward, config);
  const secondKeys = influx.lines.slice(count).map(pointKey).sort();
  t.deepEqual(secondKeys, firstKeys);
  t.notDeepEqual(influx.lines.slice(count), influx.lines.slice(0, count), 'the order really differed');
});

test('spilled batches are replayed first, then the recomputed points', async (t) => {
  const { influx, config } = await server(t);
  const dir = await writeRunDir(records.slice(0, 2), [], runResult());
  await mkdir(join(dir, 'influx-spill'));
  await writeFile(join(dir, 'influx-spill', 'a-000001.lp.gz'), gzipSync('spilled,run_id=run-1 v=1 1795800000000000000\nspilled,run_id=run-1 v=2 1795800000000000001\n'));
  await writeFile(join(dir, 'influx-spill', 'a-000002.lp'), 'spilled,run_id=run-1 v=3 1795800000000000002\n');
  const report = await pushRun(dir, config);
  t.is(report.spillFiles, 2);
  t.is(report.spillLines, 3);
  t.deepEqual(influx.lines.slice(0, 3).map((line) => line.split(' ')[1]), ['v=1', 'v=2', 'v=3']);
  t.false(influx.lines.slice(3).some((line) => line.startsWith('spilled')));
});

test('a line cut short by a kill is skipped and counted, the rest is pushed', async (t) => {
  const { config } = await server(t);
  const dir = await writeRunDir(records.slice(0, 3), [], runResult());
  await appendFile(join(dir, 'requests.jsonl'), '{"request_id":"half');
  const notices: string[] = [];
  const report = await pushRun(dir, config, { onNotice: (line) => notices.push(line) });
  t.is(report.points.llm_request, 3);
  t.is(report.skippedLines, 1);
  t.regex(notices.join('\n'), /requests\.jsonl: the last line was cut short/);
});

test('a damaged line in the middle of requests.jsonl stops push with an error naming file and line', async (t) => {
  const { config } = await server(t);
  const dir = await writeRunDir(records.slice(0, 3), [], runResult());
  const lines = (await readFile(join(dir, 'requests.jsonl'), 'utf8')).split('\n');
  lines.splice(1, 0, 'garbage');
  await writeFile(join(dir, 'requests.jsonl'), lines.join('\n'));
  const error = await t.throwsAsync(pushRun(dir, config), { instanceOf: BenchError });
  t.is(error?.code, 'RUN_DAMAGED');
  t.is(error?.exitCode, 2);
  t.regex(error?.message ?? '', /requests\.jsonl:2 is not readable/);
});

test('a path that holds no run is RUN_NOT_FOUND (exit 2)', async (t) => {
  const { config } = await server(t);
  const error = await t.throwsAsync(pushRun('/nonexistent/run', config), { instanceOf: BenchError });
  t.is(error?.code, 'RUN_NOT_FOUND');
  t.is(error?.exitCode, 2);
  t.regex(error?.message ?? '', /\/nonexistent\/run/);
});

test('a server that keeps failing makes push fail loudly with the count of points not written', async (t) => {
  const { config } = await server(t, { write: (_request, n) => (n === 0 ? { status: 204 } : influxError(503, 'unavailable', 'down')) });
  const dir = await writeRunDir(records.slice(0, 2), [], runResult());
  const error = await t.throwsAsync(pushRun(dir, config, { finalRetryMs: 300 }), { instanceOf: SinkError });
  t.is(error?.code, 'SINK_UNAVAILABLE');
  t.regex(error?.message ?? '', /push of run run-1 to http:\/\/127\.0\.0\.1:\d+ is incomplete: \d+ points not written \(503 down\)/);
  t.regex(error?.hint ?? '', /push again/);
});
