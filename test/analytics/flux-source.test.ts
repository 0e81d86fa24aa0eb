/**
 * FluxSource against a scripted InfluxDB /api/v2/query on a real socket: hand-written annotated CSV in
 * InfluxDB 2's format (fixtures/), and a round trip records → points → InfluxDB's pivot tables → records.
 * (No InfluxDB 2 runs on this machine to capture from; the CSV follows the documented format, the one
 * influxdb-client-js's own fixtures use.)
 */
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { FluxSource } from '../../analytics/flux-source.js';
import { AnalyticsError } from '../../pipeline/core/errors.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { recordToPoints } from '../../pipeline/sinks/points.js';
import { concurrentRecords, droppedRecord, errorRecord, okRecord, RUN } from '../pipeline/sinks/helpers/records.js';
import { startScriptedInflux, type CapturedRequest } from '../pipeline/sinks/helpers/scripted-influx.js';
import { renderAnnotatedCsv } from './helpers/annotated-csv.js';
import { runRequestsTables, runTokensTables, stamp } from './helpers/influx-tables.js';

const csv = (body: string) => ({ status: 200, body, headers: { 'content-type': 'text/csv; charset=utf-8' } });

async function queryServer(t: import('ava').ExecutionContext, answer: (query: string, request: CapturedRequest) => string) {
  const server = await startScriptedInflux({ query: (request) => csv(answer((JSON.parse(request.body) as { query: string }).query, request)) });
  t.teardown(() => server.close());
  return server;
}

test('annotated CSV in InfluxDB 2 format (fixtures) becomes the run directory records', async (t) => {
  const requests = await readFile(new URL('./fixtures/run-requests.csv', import.meta.url), 'utf8');
  const tokens = await readFile(new URL('./fixtures/run-tokens.csv', import.meta.url), 'utf8');
  const server = await queryServer(t, (query) => (query.includes('"llm_token"') ? tokens : requests));
  const source = FluxSource.connect({ url: server.url, org: 'bench', bucket: 'llm', token: 'read-token' });

  const records = await source.records('run-7');
  t.deepEqual(records.map((r) => r.request_id), ['req-ok', 'req-ok2', 'req-drop']);
  const [ok, ok2, dropped] = records as [RequestRecord, RequestRecord, RequestRecord];
  t.deepEqual(ok.chunks, [[40, 1], [50, 1]]);
  t.deepEqual(ok.metrics, { itl_ms: 10, output_tokens: 2, ttft_ms: 40 });
  t.deepEqual(ok.server, { note: 'a, "b"' });
  t.is(ok.t_done, 1795800000051.75);
  t.deepEqual(ok2.metrics, { output_tokens: 1, ttft_ms: 35 }, 'an empty cell is an absent metric, not 0');
  t.deepEqual(ok2.chunks, [[35, 1]]);
  t.deepEqual(dropped, {
    request_id: 'req-drop',
    run_id: 'run-7',
    stage: 'main',
    stage_index: 0,
    warmup: false,
    status: 'dropped',
    error_kind: 'dropped',
    engine: 'vllm',
    model: 'tiny',
    stream: true,
    worker: 1,
    t_intended: 1795800000100.125,
    sources: {},
    server: {},
    metrics: {},
    chunks: [],
  });

  const queries = server.requests.filter((r) => r.path === '/api/v2/query');
  t.is(queries.length, 2);
  for (const request of queries) {
    t.is(request.headers.authorization, 'Token read-token');
    t.is(request.query.get('org'), 'bench');
    t.regex((JSON.parse(request.body) as { query: string }).query, /^params = \{bucket: "llm", run_id: "run-7", start: 1970-01-01T00:00:00\.000Z, stop: \d{4}-/);
  }
});

test('round trip: records → points → InfluxDB tables → FluxSource gives the same records', async (t) => {
  const original = [...concurrentRecords(25, 6), okRecord({ requestId: 'solo', sendMs: 1_795_800_002_000, tokens: 3 }), droppedRecord(), errorRecord()];
  const stamped = stamp(original.flatMap((record) => recordToPoints(record, RUN)));
  const server = await queryServer(t, (query) =>
    renderAnnotatedCsv(query.includes('"llm_token"') ? runTokensTables(stamped, 'run-1') : runRequestsTables(stamped, 'run-1')),
  );
  const records = await FluxSource.connect({ url: server.url, org: 'o', bucket: 'b' }).records('run-1');
  const byId = (list: RequestRecord[]) => [...list].sort((a, b) => a.request_id.localeCompare(b.request_id));
  t.deepEqual(byId(records), byId(original));
});

test('a run InfluxDB does not have is RUN_NOT_FOUND with a hint', async (t) => {
  const server = await queryServer(t, () => '\r\n');
  const error = await t.throwsAsync(FluxSource.connect({ url: server.url, org: 'o', bucket: 'b' }).records('nope'), { instanceOf: AnalyticsError });
  t.is(error?.code, 'RUN_NOT_FOUND');
  t.regex(error?.hint ?? '', /llmbench push/);
});

test('a query InfluxDB refuses is an error that names the query', async (t) => {
  const server = await startScriptedInflux({ query: () => ({ status: 401, body: '{"code":"unauthorized","message":"unauthorized access"}', headers: { 'content-type': 'application/json' } }) });
  t.teardown(() => server.close());
  const error = await t.throwsAsync(FluxSource.connect({ url: server.url, org: 'o', bucket: 'b' }).records('r'), { instanceOf: AnalyticsError });
  t.regex(error?.message ?? '', /Flux query run-tokens on bucket b failed: unauthorized access/);
});

test('resource samples in annotated CSV (fixture: two series of two measurements) become points: group-key columns are tags, the rest fields', async (t) => {
  const body = await readFile(new URL('./fixtures/run-resources.csv', import.meta.url), 'utf8');
  const server = await queryServer(t, () => body);
  const points = await FluxSource.connect({ url: server.url, org: 'bench', bucket: 'llm' }).points('run-resources', { run_id: 'run-7', start: new Date(0), stop: new Date('2026-12-07T15:00:00Z') });
  t.deepEqual(points, [
    { measurement: 'host', tags: { host: 'bench-1', run_id: 'run-7' }, fields: { cpu_pct: 41.5, mem_used_bytes: 8123456789, net_rx_bps: 120000 }, time_ms: Date.parse('2026-11-27T17:20:00Z') },
    { measurement: 'host', tags: { host: 'bench-1', run_id: 'run-7' }, fields: { cpu_pct: 43.25, mem_used_bytes: 8123460000 }, time_ms: Date.parse('2026-11-27T17:20:01Z') + 1e-6 },
    { measurement: 'process', tags: { host: 'bench-1', role: 'client', run_id: 'run-7' }, fields: { cpu_pct: 12.5, heap_used_bytes: 52000000, rss_bytes: 210000000 }, time_ms: Date.parse('2026-11-27T17:20:00.5Z') },
  ]);
  const query = (JSON.parse(server.requests.find((r) => r.path === '/api/v2/query')!.body) as { query: string }).query;
  t.regex(query, /r\._measurement !~ \/\^llm_\//, 'every measurement but llmbench\'s own');
});
