/** The sink against a scripted InfluxDB on a real socket, through the real client's transport. */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { SinkError } from '../../../pipeline/core/errors.js';
import { Secret, type InfluxConfig } from '../../../pipeline/sinks/influx-config.js';
import { createInfluxSink, type InfluxSinkOptions } from '../../../pipeline/sinks/influxdb.js';
import { parseLine, pointKey } from './helpers/line-keys.js';
import { concurrentRecords, droppedRecord, errorRecord, finishRun, okRecord, runResult, runStart } from './helpers/records.js';
import { influxError, startScriptedInflux, type Script } from './helpers/scripted-influx.js';

const TOKEN = 'test-token-DO-NOT-LEAK-9f8e7d';

async function setup(t: import('ava').ExecutionContext, script: Script = {}, options: Partial<InfluxSinkOptions> = {}) {
  const server = await startScriptedInflux(script);
  t.teardown(() => server.close());
  const runDir = await mkdtemp(join(tmpdir(), 'llmbench-run-'));
  const run = runStart();
  const config: InfluxConfig = { url: server.url, org: 'bench', bucket: 'llm', token: new Secret(TOKEN) };
  const notices: string[] = [];
  const sink = createInfluxSink(config, { spillDir: runDir, flushIntervalMs: 20, onNotice: (line) => notices.push(line), ...options });
  return { server, run, runDir, sink, notices, config };
}

const fastRetry = { backoff: { minDelayMs: 5, maxDelayMs: 20 } };

test('a run delivers every point with Authorization: Token, gzip, and unique timestamps per series', async (t) => {
  const { server, run, sink } = await setup(t);
  await sink.open(run);
  const records = concurrentRecords(80, 16);
  for (let i = 0; i < records.length; i += 7) sink.write({ kind: 'records', records: records.slice(i, i + 7) });
  sink.write({ kind: 'resources', points: [{ measurement: 'gpu', tags: { gpu: '0', host: 'h' }, fields: { util_pct: 97 }, time_ms: 1_795_800_001_000 }] });
  const report = await finishRun(sink, records, runResult());

  const parsed = server.lines.map(parseLine);
  const count = (m: string) => parsed.filter((p) => p.measurement === m).length;
  t.is(count('llm_request'), 80);
  t.is(count('llm_run'), 1);
  t.is(count('gpu'), 1);
  t.true(count('llm_window') >= 1);
  // 16 tokens × 80 requests, all in one millisecond: none may overwrite another.
  const tokenKeys = server.lines.filter((line) => line.startsWith('llm_token')).map(pointKey);
  t.is(tokenKeys.length, 1280);
  t.is(new Set(tokenKeys).size, 1280);
  t.true(parsed.every((p) => p.tags.run_id === 'run-1'), 'every point tagged run_id');
  // Every point once, windows included: no series and timestamp written twice.
  const allKeys = server.lines.map(pointKey);
  t.is(new Set(allKeys).size, allKeys.length);

  const writes = server.requests.filter((r) => r.path === '/api/v2/write' && r.body !== '');
  t.true(writes.length > 0);
  for (const request of [...writes, ...server.requests.filter((r) => r.path === '/health')]) t.is(request.headers.authorization, `Token ${TOKEN}`);
  t.true(writes.some((r) => r.headers['content-encoding'] === 'gzip'), 'large batches are gzip compressed');
  t.deepEqual([...new Set(writes.map((r) => r.query.toString()))], ['org=bench&bucket=llm&precision=ns']);
  t.like(report, { written: server.lines.length, retried: 0, spilled: 0, lost: 0, bucket: 'llm', org: 'bench', spill_dir: null });
});

test('503 for a while in the middle of a run: everything arrives, retries are counted, nothing is lost', async (t) => {
  let failing = false;
  const { server, run, sink, notices } = await setup(t, { write: () => (failing ? influxError(503, 'unavailable', 'busy') : { status: 204 }) }, fastRetry);
  await sink.open(run);
  const records = Array.from({ length: 60 }, (_, i) => okRecord({ requestId: `r${i}`, sendMs: 1_795_800_000_000 + i * 50, tokens: 8 }));
  for (let i = 0; i < 60; i++) {
    if (i === 20) failing = true;
    if (i === 40) failing = false;
    sink.write({ kind: 'records', records: [records[i]!] });
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  const report = (await sink.close(runResult())).sinkReport!;
  t.is(server.lines.filter((line) => line.startsWith('llm_request')).length, 60);
  t.is(server.lines.filter((line) => line.startsWith('llm_token')).length, 480);
  t.true(Number(report.retried) > 0, `retried ${report.retried}`);
  t.true(Number(report.failed_requests) > 0);
  t.like(report, { lost: 0, spilled: 0 });
  t.true(notices.some((line) => line.startsWith('writes failing (503 busy)')));
  t.true(notices.some((line) => line.startsWith('writes recovered after')));
});

test('a server still failing after the run: the rest is spilled to the run directory, not lost', async (t) => {
  const { run, runDir, sink } = await setup(t, { write: (_request, n) => (n === 0 ? { status: 204 } : influxError(503, 'unavailable', 'down')) }, { ...fastRetry, finalRetryMs: 200 });
  await sink.open(run);
  sink.write({ kind: 'records', records: [okRecord({ tokens: 5 }), droppedRecord(), errorRecord()] });
  const report = (await sink.close(runResult())).sinkReport!;
  t.like(report, { written: 0, lost: 0, spill_dir: join(runDir, 'influx-spill') });
  const files = await readdir(join(runDir, 'influx-spill'));
  const lines = (await Promise.all(files.map(async (f) => gunzipSync(await readFile(join(runDir, 'influx-spill', f))).toString('utf8'))))
    .join('')
    .split('\n')
    .filter(Boolean);
  t.is(lines.length, Number(report.spilled));
  t.is(lines.filter((line) => line.startsWith('llm_request')).length, 3);
});

test('points spilled during an outage are sent at the end once InfluxDB answers again, and their files removed', async (t) => {
  let refusing = true;
  const { server, run, runDir, sink } = await setup(
    t,
    { write: (request) => (refusing && request.body !== '' ? influxError(503, 'unavailable', 'busy') : { status: 204 }) },
    { ...fastRetry, maxBufferedPoints: 40, batchSize: 10 },
  );
  await sink.open(run);
  sink.write({ kind: 'records', records: Array.from({ length: 12 }, (_, i) => okRecord({ requestId: `s${i}`, sendMs: 1_795_800_000_000 + i * 100, tokens: 5 })) });
  await new Promise((resolve) => setTimeout(resolve, 100)); // mapped, over the bound, partly spilled
  refusing = false;
  const report = (await sink.close(runResult())).sinkReport!;
  t.true(Number(report.replayed_from_spill) > 0, JSON.stringify(report));
  t.like(report, { spilled: 0, lost: 0, spill_dir: null });
  t.is(server.lines.filter((line) => line.startsWith('llm_request')).length, 12);
  t.is(server.lines.filter((line) => line.startsWith('llm_token')).length, 60);
  t.deepEqual(await readdir(join(runDir, 'influx-spill')), []);
});

const preflight = test.macro(async (t, script: Script, pattern: RegExp, hint: RegExp) => {
  const { run, sink } = await setup(t, script);
  const error = await t.throwsAsync(sink.open(run), { instanceOf: SinkError });
  t.is(error?.code, 'SINK_UNAVAILABLE');
  t.is(error?.exitCode, 4);
  t.regex(error?.message ?? '', pattern);
  t.regex(error?.hint ?? '', hint);
  t.false(`${error?.message} ${error?.hint}`.includes(TOKEN));
});
test('preflight: a wrong token', preflight, { write: () => influxError(401, 'unauthorized', 'unauthorized access') }, /rejected the token for bucket "llm" of org "bench" at http:\/\/127\.0\.0\.1:\d+ \(401/, /--influx-token-file/);
test('preflight: a missing bucket', preflight, { write: () => influxError(404, 'not found', 'bucket "llm" not found') }, /has no bucket "llm" of org "bench" .*bucket "llm" not found/, /influx bucket create --name llm --org bench/);
test('preflight: a read-only token', preflight, { write: () => influxError(403, 'forbidden', 'insufficient permissions for write') }, /may not write to bucket "llm"/, /write permission/);
test('preflight: an unhealthy server', preflight, { health: () => ({ status: 503, body: '{"status":"fail"}' }) }, /is not healthy: \/health answered 503/, /docker compose logs influxdb/);

test('preflight: nothing listening is unreachable, before any load', async (t) => {
  const closed = await startScriptedInflux();
  await closed.close(); // a port that was just free: nothing listens there now
  const sink = createInfluxSink({ url: closed.url, org: 'o', bucket: 'b' }, { spillDir: tmpdir(), onNotice: () => {} });
  const error = await t.throwsAsync(sink.open(runStart()), { instanceOf: SinkError });
  t.regex(error?.message ?? '', /^InfluxDB at http:\/\/127\.0\.0\.1:\d+ is unreachable \(.*ECONNREFUSED/);
  t.regex(error?.hint ?? '', /--influx-url/);
});

test('preflight: a server with /ping but no /health is fine, and the probe writes nothing', async (t) => {
  const { server, run, sink } = await setup(t, { health: () => ({ status: 404, body: 'not found' }) });
  await sink.open(run);
  const report = (await sink.close(runResult())).sinkReport!;
  t.deepEqual(server.requests.slice(0, 3).map((r) => `${r.method} ${r.path} ${r.body.length}`), ['GET /health 0', 'GET /ping 0', 'POST /api/v2/write 0']);
  t.is(report.lost, 0);
});

test('the token never appears in notices, reports or spill files, even when the server echoes it', async (t) => {
  const { run, runDir, sink, notices } = await setup(
    t,
    { write: (request, n) => (n === 0 ? { status: 204 } : influxError(503, 'unavailable', `refused ${String(request.headers.authorization)}`)) },
    { ...fastRetry, finalRetryMs: 100 },
  );
  await sink.open(run);
  sink.write({ kind: 'records', records: [okRecord()] });
  const report = (await sink.close(runResult())).sinkReport!;
  t.true(notices.length > 0);
  t.true(notices.some((line) => line.includes('refused Token [redacted]')), notices.join('\n'));
  const everything = [notices.join('\n'), JSON.stringify(report)];
  for (const file of await readdir(join(runDir, 'influx-spill'))) everything.push(gunzipSync(await readFile(join(runDir, 'influx-spill', file))).toString('utf8'));
  for (const text of everything) t.false(text.includes(TOKEN));
});

test('write only buffers: it returns before any mapping or I/O happens', async (t) => {
  const { server, run, sink } = await setup(t);
  await sink.open(run);
  const before = server.requests.length;
  sink.write({ kind: 'records', records: concurrentRecords(200, 16) });
  t.is(server.requests.length, before);
  await sink.close(runResult());
  t.is(server.lines.filter((line) => line.startsWith('llm_token')).length, 3200);
});
