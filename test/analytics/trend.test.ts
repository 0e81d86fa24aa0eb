/**
 * `llmbench trend`: the analysis on synthetic runs whose change points are known (analytics/trend.ts), its two
 * sources (run directories through the one reader; InfluxDB's llm_run points, both from a hand-written annotated-CSV
 * fixture and from the points llmbench writes) and the command's output and exit codes.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FluxSource } from '../../analytics/flux-source.js';
import { renderTrendMarkdown } from '../../analytics/report/trend-markdown.js';
import { analyzeTrend, DEFAULT_TREND_METRICS, groupRuns, parseTrendMetric, selectGroup, type TrendRun } from '../../analytics/trend.js';
import { llmRunField, trendRunsFromDirectories, trendRunsFromFlux } from '../../analytics/trend-sources.js';
import { UsageError } from '../../pipeline/core/errors.js';
import type { RunResult, RunStatus } from '../../pipeline/core/run-result.js';
import { LineEncoder } from '../../pipeline/sinks/line-protocol.js';
import { runPoint } from '../../pipeline/sinks/points.js';
import { toNanos } from '../../pipeline/sinks/unique-timestamps.js';
import { runCli } from '../helpers/cli.js';
import { startScriptedInflux } from '../pipeline/sinks/helpers/scripted-influx.js';
import { runResult } from '../pipeline/sinks/helpers/records.js';
import { InfluxStore } from './helpers/influx-store.js';

const METRICS = DEFAULT_TREND_METRICS.map(parseTrendMetric);
const DAY_MS = 86_400_000;
const START_MS = Date.parse('2026-11-01T02:00:00.000Z');

interface Night {
  ttftP95: number;
  outputTps?: number;
  status?: RunStatus;
  valid?: boolean;
  scenario?: string;
  hash?: string;
}

/** One nightly run's run.json: the same workload every night unless `hash` says otherwise. */
function nightly(night: Night, i: number): RunResult {
  const base = runResult();
  const stats = (p95: number) => ({ count: 100, mean: p95 * 0.8, stddev: 1, cv: 0.01, min: p95 / 2, p50: p95 * 0.7, p90: p95 * 0.95, p95, p99: p95 * 1.1, p999: p95 * 1.2, max: p95 * 1.3 });
  const started = new Date(START_MS + i * DAY_MS);
  return runResult({
    run_id: `night-${String(i).padStart(2, '0')}`,
    status: night.status ?? 'completed',
    valid: night.valid ?? true,
    started_at: started.toISOString(),
    ended_at: new Date(started.getTime() + 60_000).toISOString(),
    scenario: { name: night.scenario ?? 'nightly' },
    workload_fingerprint: { hash: night.hash ?? 'aaaa111122223333', fields: {} },
    summary: {
      ...base.summary,
      throughput: { ...base.summary.throughput, output_tps: night.outputTps ?? 500 },
      metrics: { ttft_ms: stats(night.ttftP95), itl_ms: stats(10), total_duration_ms: stats(1500) },
    },
  });
}

/** 100 ± 1 ms for 6 nights, then 130 for 4: the step is in night 6. */
const STEP: Night[] = [100, 101, 99, 100.5, 99.5, 100, 130, 131, 129, 130.5].map((ttftP95) => ({ ttftP95 }));

function trendRuns(nights: readonly Night[]): TrendRun[] {
  return nights.map((night, i) => {
    const result = nightly(night, i);
    return {
      run_id: result.run_id,
      started_at: result.started_at,
      scenario: result.scenario.name,
      fingerprint: result.workload_fingerprint!.hash,
      engine: 'vllm',
      model: 'tiny',
      status: result.status,
      valid: result.valid,
      metrics: { 'ttft_ms:p95': result.summary.metrics.ttft_ms!.p95, 'itl_ms:p50': 7, 'total_duration_ms:p95': 1500, output_tps: result.summary.throughput.output_tps },
    };
  });
}

async function runsFolder(nights: readonly Night[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'llmbench-trend-'));
  await Promise.all(
    nights.map(async (night, i) => {
      const result = nightly(night, i);
      await mkdir(join(root, result.run_id));
      await writeFile(join(root, result.run_id, 'run.json'), JSON.stringify(result));
    }),
  );
  return root;
}

test('a step is found at the run that introduced it, with the means before and after', (t) => {
  const [group] = groupRuns(trendRuns(STEP));
  const report = analyzeTrend(group!, METRICS);
  t.is(report.runs.length, 10);
  t.deepEqual(report.runs.map((run) => run.run_id), STEP.map((_, i) => `night-${String(i).padStart(2, '0')}`), 'oldest first');
  t.is(report.change_points.length, 1, JSON.stringify(report.change_points));
  const change = report.change_points[0]!;
  t.is(change.run_id, 'night-06');
  t.is(change.metric, 'ttft_ms:p95');
  t.is(change.before, 100);
  t.is(change.after, 130.125);
  t.true(Math.abs(change.diff_pct - 30.125) < 1e-9);
  t.is(change.verdict, 'regressed');
  t.false(report.newest_run_changed);
});

test('a steady series finds no change point', (t) => {
  const steady = [100, 101, 99, 100.5, 99.5, 100, 100.8, 99.2, 100.3, 99.7].map((ttftP95) => ({ ttftP95 }));
  const report = analyzeTrend(groupRuns(trendRuns(steady))[0]!, METRICS);
  t.deepEqual(report.change_points, []);
});

test('a 2-run segment at the end is significant; a throughput drop is a regression; the newest run alone is provisional', (t) => {
  const endStep = [100, 101, 99, 100.5, 130, 131].map((ttftP95) => ({ ttftP95 }));
  const report = analyzeTrend(groupRuns(trendRuns(endStep))[0]!, METRICS);
  t.deepEqual(report.change_points.map((change) => [change.run_id, change.provisional]), [['night-04', false]]);
  t.false(report.newest_run_changed, 'the change started the night before');

  const drop = [500, 502, 498, 501, 499, 400].map((outputTps) => ({ ttftP95: 100, outputTps }));
  const dropped = analyzeTrend(groupRuns(trendRuns(drop))[0]!, METRICS);
  t.is(dropped.change_points.length, 1);
  t.like(dropped.change_points[0], { run_id: 'night-05', metric: 'output_tps', verdict: 'regressed', provisional: true });
  t.true(dropped.newest_run_changed);
});

test('failed, aborted and invalid runs are left out and listed; --last keeps the newest runs', (t) => {
  const nights: Night[] = [...STEP];
  nights.splice(3, 0, { ttftP95: 0, status: 'failed' }, { ttftP95: 400, valid: false }, { ttftP95: 90, status: 'aborted' });
  const report = analyzeTrend(groupRuns(trendRuns(nights))[0]!, METRICS);
  t.deepEqual(report.skipped.map((run) => [run.run_id, run.reason.split(' ')[0]]), [['night-03', 'status'], ['night-04', 'invalid'], ['night-05', 'status']]);
  t.is(report.runs.length, 10);
  t.deepEqual(report.change_points.map((change) => change.run_id), ['night-09'], 'the step, now at night 9');
  const last = analyzeTrend(groupRuns(trendRuns(nights))[0]!, METRICS, { last: 4 });
  t.deepEqual(last.runs.map((run) => run.run_id), ['night-09', 'night-10', 'night-11', 'night-12']);
});

test('runs are grouped by scenario and workload fingerprint; an ambiguous choice lists the groups', (t) => {
  const runs = trendRuns([{ ttftP95: 100 }, { ttftP95: 100, hash: 'bbbb000011112222' }, { ttftP95: 100, scenario: 'other' }, { ttftP95: 101 }]);
  const groups = groupRuns(runs);
  t.is(groups.length, 3);
  t.deepEqual(selectGroup(groups, { scenario: 'nightly', fingerprint: 'aaaa' }, 'runs').runs.map((run) => run.run_id), ['night-00', 'night-03']);
  t.is(selectGroup(groups, { scenario: 'other' }, 'runs').runs.length, 1);
  const ambiguous = t.throws(() => selectGroup(groups, { scenario: 'nightly' }, 'runs'), { instanceOf: UsageError });
  t.regex(ambiguous.message, /scenario nightly with more than one workload/);
  t.regex(ambiguous.message, /--scenario nightly --fingerprint aaaa111122223333: 2 run\(s\), newest night-03/);
  t.regex(ambiguous.message, /--scenario nightly --fingerprint bbbb000011112222: 1 run\(s\)/);
  t.regex(t.throws(() => selectGroup(groups, {}, 'runs'))!.message, /more than one scenario or workload/);
  t.regex(t.throws(() => selectGroup(groups, { scenario: 'nope' }, 'runs'))!.message, /holds no runs of scenario nope; the runs there are:\n {2}--scenario/);
});

test('metrics: METRIC:STAT or a run-level figure; anything else names the choices', (t) => {
  t.like(parseTrendMetric('ttft_ms:p95'), { metric: 'ttft_ms', stat: 'p95', higherIsBetter: false });
  t.like(parseTrendMetric('output_tps'), { metric: 'output_tps', stat: null, higherIsBetter: true });
  t.like(parseTrendMetric('eval_token_rate:p50'), { higherIsBetter: true });
  for (const bad of ['ttft_ms', 'ttft_ms:p97', 'nope:p50', 'output_tps:p50', 'ttft_ms:p95:x']) t.throws(() => parseTrendMetric(bad), { instanceOf: UsageError, message: /is not a metric a trend can follow/ });
  t.is(llmRunField(parseTrendMetric('ttft_ms:p95')), 'ttft_p95_ms');
  t.is(llmRunField(parseTrendMetric('output_tps')), 'output_tps');
  t.throws(() => llmRunField(parseTrendMetric('ttft_ms:p999')), { message: /not on the llm_run points/ });
});

test('the markdown has a sparkline per metric, the change point with its run, and the runs left out', (t) => {
  const nights: Night[] = [...STEP, { ttftP95: 0, status: 'failed' }];
  const md = renderTrendMarkdown(analyzeTrend(groupRuns(trendRuns(nights))[0]!, METRICS));
  t.regex(md, /^# llmbench trend: nightly$/m);
  t.regex(md, /\| ttft_ms:p95 \| `▁+[▁▂]*█+` \| 99\.0 ms \| 131 ms \| 131 ms \|/);
  t.regex(md, /\*\*ttft_ms:p95\*\* regressed in run `night-06`: 100 ms → 130 ms \(\+30 %, p = /);
  t.regex(md, /\| night-06 \| 2026-11-07T02:00:00\.000Z \| vllm \| tiny \| 130 ms ◆ \|/);
  t.regex(md, /- `night-10` \(2026-11-11T02:00:00\.000Z\): status failed/);
  // itl_ms:p50 is 7 ms every night: a flat line, not ▁ to █.
  t.regex(md, /\| itl_ms:p50 \| `▄{10}` \|/);
});

test('a series that moves less than the noise threshold draws near flat; one that steps spans the scale', (t) => {
  const wobble = [100, 100.4, 99.7, 100.2, 99.9, 100.1].map((ttftP95) => ({ ttftP95 }));
  const md = renderTrendMarkdown(analyzeTrend(groupRuns(trendRuns(wobble))[0]!, METRICS));
  const line = /\| ttft_ms:p95 \| `([^`]+)` \|/.exec(md)![1]!;
  t.true([...line].every((tick) => '▃▄▅'.includes(tick)), line);
});

test('from run directories: the JSON contract, the one reader, --fail-on-change exit codes', async (t) => {
  const root = await runsFolder([...STEP, { ttftP95: 130, status: 'failed' }]);
  const runs = await trendRunsFromDirectories(root, METRICS);
  t.is(runs.length, 11);
  const json = await runCli(['trend', '--runs', root, '--format', 'json']);
  t.is(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { runs: Array<{ run_id: string; started_at: string; metrics: Record<string, number> }>; change_points: Array<Record<string, unknown>> };
  t.deepEqual(Object.keys(report.runs[0]!).sort(), ['engine', 'metrics', 'model', 'run_id', 'started_at']);
  t.deepEqual(report.runs[0]!.metrics, { 'ttft_ms:p95': 100, 'itl_ms:p50': 7, 'total_duration_ms:p95': 1500, output_tps: 500 });
  t.like(report.change_points[0], { run_id: 'night-06', metric: 'ttft_ms:p95', before: 100, after: 130.125 });
  t.is((await runCli(['trend', '--runs', root, '--fail-on-change'])).code, 0, 'the newest run that entered the series starts no change');

  const newestChanged = await runsFolder([100, 101, 99, 100.5, 99.5, 160].map((ttftP95) => ({ ttftP95 })));
  const failed = await runCli(['trend', '--runs', newestChanged, '--fail-on-change']);
  t.is(failed.code, 99, failed.stderr);
  t.regex(failed.stderr, /error\[REGRESSION_FOUND\]: the newest run night-05 starts a change: ttft_ms:p95 regressed 60\.0 %/);
  t.regex(failed.stdout, /provisional: the newest run alone/);
  t.is((await runCli(['trend', '--runs', newestChanged])).code, 0, 'without --fail-on-change a change still exits 0');
});

test('from run directories: an ambiguous folder exits 2 naming the groups; a bad flag exits 2', async (t) => {
  const root = await runsFolder([{ ttftP95: 100 }, { ttftP95: 100, hash: 'bbbb000011112222' }]);
  const ambiguous = await runCli(['trend', '--runs', root]);
  t.is(ambiguous.code, 2);
  t.regex(ambiguous.stderr, /--scenario nightly --fingerprint aaaa111122223333: 1 run\(s\)/);
  t.regex(ambiguous.stderr, /--scenario nightly --fingerprint bbbb000011112222: 1 run\(s\)/);
  t.is((await runCli(['trend', '--runs', root, '--scenario', 'nightly', '--fingerprint', 'bbbb'])).code, 0);
  t.is((await runCli(['trend', '--runs', root, '--metric', 'ttft_ms:p97'])).code, 2);
  t.is((await runCli(['trend', '--runs', join(root, 'missing')])).code, 2);
});

test('from InfluxDB: llm_run rows in annotated CSV (fixture) become the runs, grouped by workload_hash', async (t) => {
  const fixture = await readFile(new URL('./fixtures/trend-runs.csv', import.meta.url), 'utf8');
  const server = await startScriptedInflux({ query: () => ({ status: 200, body: fixture, headers: { 'content-type': 'text/csv; charset=utf-8' } }) });
  t.teardown(() => server.close());
  const runs = await trendRunsFromFlux(FluxSource.connect({ url: server.url, org: 'bench', bucket: 'llm' }), METRICS, 'nightly');
  t.deepEqual(runs.map((run) => [run.run_id, run.fingerprint, run.status, run.valid]), [
    ['r-1', '5f1c0e9a3b2d4c6e', 'completed', true],
    ['r-2', '5f1c0e9a3b2d4c6e', 'completed', true],
    ['r-3', '5f1c0e9a3b2d4c6e', 'failed', false],
    ['r-4', '5f1c0e9a3b2d4c6e', 'completed', true],
  ]);
  t.deepEqual(runs[0]!.metrics, { 'ttft_ms:p95': 112.5, 'itl_ms:p50': 9.25, 'total_duration_ms:p95': 1840, output_tps: 612.4 });
  t.is(runs[0]!.started_at, '2026-11-01T02:00:00.000Z');
  t.is(runs[2]!.metrics['ttft_ms:p95'], null, 'a failed run has no numbers');
  const query = (JSON.parse(server.requests.find((r) => r.path === '/api/v2/query')!.body) as { query: string }).query;
  t.regex(query, /^params = \{bucket: "llm", scenario: "nightly", start: 1970-01-01T00:00:00\.000Z, stop: /);
  t.regex(query, /r\._field !~ \/\^run_json\//);
});

test('from InfluxDB: the points llmbench writes come back as the runs the run directories give; the CLI reads them with --influx-url', async (t) => {
  const nights = [...STEP, { ttftP95: 100, scenario: 'other' }];
  const encoder = new LineEncoder();
  const store = new InfluxStore();
  store.write(nights.map((night, i) => { const point = runPoint(nightly(night, i)); return encoder.encode(point, toNanos(point.time_ms))!; }));
  const server = await startScriptedInflux({ query: (request) => ({ status: 200, body: store.answer((JSON.parse(request.body) as { query: string }).query), headers: { 'content-type': 'text/csv; charset=utf-8' } }) });
  t.teardown(() => server.close());
  const fromFlux = await trendRunsFromFlux(FluxSource.connect({ url: server.url, org: 'o', bucket: 'b' }), METRICS, undefined);
  const fromDirs = await trendRunsFromDirectories(await runsFolder(nights), METRICS);
  const byId = (runs: TrendRun[]) => [...runs].sort((a, b) => a.run_id.localeCompare(b.run_id));
  t.deepEqual(byId(fromFlux), byId(fromDirs));

  const cli = await runCli(['trend', '--influx-url', server.url, '--influx-org', 'o', '--influx-bucket', 'b', '--scenario', 'nightly', '--format', 'json']);
  t.is(cli.code, 0, cli.stderr);
  t.like((JSON.parse(cli.stdout) as { change_points: unknown[] }).change_points[0], { run_id: 'night-06', metric: 'ttft_ms:p95' });
  const both = await runCli(['trend', '--influx-url', server.url, '--influx-org', 'o', '--influx-bucket', 'b', '--runs', 'runs']);
  t.is(both.code, 2);
  t.regex(both.stderr, /--runs and --influx-url name two sources/);
});
