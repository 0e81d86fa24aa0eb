/**
 * The InfluxDB sink against a real server: VictoriaMetrics (it accepts InfluxDB's /api/v2/write; no
 * InfluxDB 2 package exists for these machines), written through the real client, read back with its
 * export API. VictoriaMetrics names an Influx field `<measurement>_<field>` and keeps tags as labels.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { Secret } from '../../pipeline/sinks/influx-config.js';
import { createInfluxSink } from '../../pipeline/sinks/influxdb.js';
import { startInfluxProxy } from '../helpers/influx-proxy.js';
import { noticeIfMissing, sampleCount, victoriaMetricsFor, vmTest } from '../helpers/victoria-metrics.js';
import { pointKey } from '../pipeline/sinks/helpers/line-keys.js';
import { concurrentRecords, finishRun, runResult, runStart } from '../pipeline/sinks/helpers/records.js';

noticeIfMissing();

const TOKEN = 'integration-token-5b1c';

vmTest('80 requests × 16 tokens sharing one millisecond all arrive, tagged run_id, with Authorization: Token', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const proxy = await startInfluxProxy(vm.url);
  t.teardown(() => proxy.close());
  const runId = `it-sink-${Date.now()}`;
  const runDir = await mkdtemp(join(tmpdir(), 'llmbench-it-'));
  const sink = createInfluxSink({ url: proxy.url, org: 'bench', bucket: 'llm', token: new Secret(TOKEN) }, { spillDir: runDir, onNotice: (line) => t.log(line) });
  await sink.open(runStart({ runId, scenario: 'quick', engine: 'vllm', model: 'tiny' }));

  const records: RequestRecord[] = concurrentRecords(80, 16, Date.now() - 60_000).map((r) => ({ ...r, run_id: runId }));
  for (let i = 0; i < records.length; i += 8) {
    sink.write({ kind: 'records', records: records.slice(i, i + 8) });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  sink.write({ kind: 'resources', points: [{ measurement: 'gpu', tags: { gpu: '0', host: 'it' }, fields: { util_pct: 97, mem_used_mib: 1024 }, time_ms: Date.now() - 30_000 }] });
  const report = await finishRun(sink, records, runResult({ run_id: runId, ended_at: new Date().toISOString() }), { runId, scenario: 'quick', engine: 'vllm', model: 'tiny' });
  t.log(JSON.stringify(report));

  const selector = (metric: string) => `${metric}{run_id="${runId}"}`;
  t.is(await sampleCount(vm, selector('llm_request_tokens')), 80);
  t.is(await sampleCount(vm, selector('llm_token_index')), 1280);
  t.is(await sampleCount(vm, selector('llm_run_requests_total')), 1);
  t.is(await sampleCount(vm, selector('gpu_util_pct')), 1);
  t.true((await sampleCount(vm, selector('llm_window_rps'))) >= 1);
  const everything = await vm.exportSeries('{__name__=~"(llm_.*|gpu_.*)"}');
  t.true(everything.length > 0);
  t.true(everything.every((series) => series.metric.run_id === runId), 'every series carries run_id');

  // VictoriaMetrics keeps milliseconds; the ns timestamps on the wire must be unique per series.
  const sent = proxy.requests.filter((r) => r.path.startsWith('/api/v2/write') && r.body !== '').flatMap((r) => r.body.split('\n')).filter(Boolean);
  const final = sent.filter((line) => !line.startsWith('llm_window'));
  t.is(new Set(final.map(pointKey)).size, final.length);
  for (const request of proxy.requests) t.is(request.headers.authorization, `Token ${TOKEN}`, request.path);
  t.true(proxy.requests.some((r) => r.headers['content-encoding'] === 'gzip'));
  t.like(report, { written: sent.length, lost: 0, spilled: 0, retried: 0 });
});
