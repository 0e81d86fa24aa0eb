/**
 * A run read back from InfluxDB gives the same analysis as from its run directory (DESIGN §8). A real run (the CLI
 * against the simulator: a small sweep with a knee, resource monitoring, a threshold) is pushed with `llmbench
 * push`'s code to a scripted InfluxDB on a real socket; the line protocol it sent is stored as InfluxDB stores it
 * (helpers/influx-store.ts) and every Flux query is answered in InfluxDB's annotated CSV, parsed by the real
 * @influxdata/influxdb-client. Then analyzeRun, compare and the report, from both sources, must agree exactly.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { analyzeRun } from '../../analytics/analyze.js';
import { compareRuns } from '../../analytics/compare.js';
import { loadSide } from '../../analytics/compare-sources.js';
import { loadFluxSide, readRunFromFlux } from '../../analytics/flux-run.js';
import { epochMsOf, FluxSource } from '../../analytics/flux-source.js';
import { renderMarkdownReport } from '../../analytics/report/markdown.js';
import { runDataFromDirectory } from '../../analytics/run-data-source.js';
import { RunDataBuilder, type RunData } from '../../analytics/run-data.js';
import { AnalyticsError } from '../../pipeline/core/errors.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { RUN_JSON_FIELD, runPoint } from '../../pipeline/sinks/points.js';
import { pushRun } from '../../pipeline/sinks/push-run.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { startSimulator } from '../../simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { startScriptedInflux } from '../pipeline/sinks/helpers/scripted-influx.js';
import { runResult } from '../pipeline/sinks/helpers/records.js';
import { InfluxStore } from './helpers/influx-store.js';

const csv = (body: string) => ({ status: 200, body, headers: { 'content-type': 'text/csv; charset=utf-8' } });

/** A scripted InfluxDB that stores what is written and answers the Flux queries from it. */
async function storeServer(t: ExecutionContext) {
  const store = new InfluxStore();
  let stored = 0;
  const server = await startScriptedInflux({ query: (request) => csv(store.answer((JSON.parse(request.body) as { query: string }).query)) });
  t.teardown(() => server.close());
  const sync = () => {
    store.write(server.lines.slice(stored));
    stored = server.lines.length;
  };
  return { server, store, sync, config: { url: server.url, org: 'bench', bucket: 'llm' } };
}

let runDir: Promise<string> | undefined;
/** One real run, shared by the tests of this file: a sweep 1 → 8 users against 4 slots (a knee), monitored. */
function realRun(): Promise<string> {
  runDir ??= (async () => {
    const sim = await startSimulator({ engine: 'vllm', perf: { slots: 4 } });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'llmbench-flux-run-'));
      const scenario = join(dir, 'sweep.yaml');
      await writeFile(scenario, 'name: sweep-flux\nextends: sweep\nload: { executor: sweep, mode: concurrency, levels: [1, 2, 4, 8], level_duration: 1s }\nwarmup: { requests: 2 }\n');
      const out = join(dir, 'run');
      const result = await runCli(['run', scenario, '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--prompt-tokens', '32', '--max-tokens', '16',
        '--threshold', 'ttft_ms:p95<5000', '--gpu', 'off', '--monitor-interval', '250ms', '--quiet', '--out', out], { timeoutMs: 60_000 });
      if (result.code !== 0) throw new Error(`llmbench run exited ${result.code}: ${result.stderr}`);
      return out;
    } finally {
      await sim.close();
    }
  })();
  return runDir;
}

/** What analysis reads of RunData, as plain values (typed arrays and maps included). */
function plain(data: RunData) {
  const table = data.requests;
  return {
    requests: {
      status: [...table.status.view()],
      stageIndex: [...table.stageIndex.view()],
      sentMs: [...table.sentMs.view()],
      doneMs: [...table.doneMs.view()],
      metrics: Object.fromEntries(Object.entries(table.metrics).map(([name, column]) => [name, [...column.view()]])),
      stageNames: [...table.stageNames],
      errorKinds: [...table.errorKinds].map(([stage, kinds]) => [stage, [...kinds]]),
    },
    windows: data.windows.map((window) => ({ ...window, fields: Object.fromEntries(Object.entries(window.fields).filter(([, value]) => value !== null)) })),
    resources: data.resources.all().map((series) => ({ ...series, timesMs: [...series.timesMs.view()], values: [...series.values.view()] })),
  };
}

function withoutSinks(result: RunResult): RunResult {
  const { sinks: _sinks, analysis: _analysis, ...rest } = result;
  return rest as RunResult;
}

test.serial('the analysis from InfluxDB (Flux) equals the analysis from the run directory', async (t) => {
  const dir = await realRun();
  const { store, sync, config } = await storeServer(t);
  await pushRun(dir, config);
  sync();

  const view = await readRunDirectory(dir);
  const fromDir = { result: view.result, data: await runDataFromDirectory(view) };
  const source = FluxSource.connect(config);
  const fromFlux = await readRunFromFlux(source, view.result.run_id);
  t.deepEqual(store.queries.slice().sort(), ['run-requests', 'run-resources', 'run-summary', 'run-tokens', 'run-windows']);

  // The parts first, so a difference is easy to place.
  t.deepEqual(withoutSinks(fromFlux.result), withoutSinks(fromDir.result), 'run.json, from the llm_run point');
  t.true(fromDir.data.resources.all().length > 5, 'the run was monitored (host, client, server metrics)');
  t.true(fromDir.data.windows.length > 3);
  t.deepEqual(plain(fromFlux.data), plain(fromDir.data));
  const records: RequestRecord[] = [];
  for await (const record of view.records()) records.push(record);
  const byId = (list: readonly RequestRecord[]) => [...list].sort((a, b) => a.request_id.localeCompare(b.request_id));
  t.deepEqual(byId(fromFlux.records), byId(records));

  const slos = view.result.analysis?.slo?.slos ?? [];
  const analysisFromDir = analyzeRun(fromDir.result, fromDir.data, { slos });
  const analysisFromFlux = analyzeRun(fromFlux.result, fromFlux.data, { slos });
  t.deepEqual(analysisFromFlux, analysisFromDir);
  t.true(analysisFromDir.scaling.levels.length === 4, 'a level per sweep level');
  t.is(renderMarkdownReport({ ...withoutSinks(fromFlux.result), analysis: analysisFromFlux }), renderMarkdownReport({ ...withoutSinks(fromDir.result), analysis: analysisFromDir }));
});

test.serial('compare from InfluxDB run ids gives the comparison compare gives from the run directories', async (t) => {
  const dir = await realRun();
  const { sync, config } = await storeServer(t);
  await pushRun(dir, config);
  sync();
  const source = FluxSource.connect(config);
  const view = await readRunDirectory(dir);
  const dirSide = await loadSide(dir);
  const fluxSide = await loadFluxSide(source, view.result.run_id);
  t.is(fluxSide[0]!.dir, `influxdb:llm/${view.result.run_id}`);
  const fromDir = compareRuns(dirSide, dirSide, { resamples: 2000 });
  const fromFlux = compareRuns(fluxSide, fluxSide, { resamples: 2000 });
  t.deepEqual(fromFlux.metrics, fromDir.metrics);
  t.is(fromFlux.verdict, 'unchanged');
  t.true(Object.keys(fromDir.metrics).includes('output_tps'));
});

test.serial('llmbench report RUN_ID --influx-url … prints what llmbench report RUN_DIR prints; compare takes run ids', async (t) => {
  const dir = await realRun();
  const { sync, config } = await storeServer(t);
  await pushRun(dir, config);
  sync();
  const runId = (await readRunDirectory(dir)).result.run_id;
  const flags = ['--influx-url', config.url, '--influx-org', config.org, '--influx-bucket', config.bucket];
  const [fromFlux, fromDir] = await Promise.all([runCli(['report', runId, ...flags, '--format', 'json']), runCli(['report', dir, '--format', 'json'])]);
  t.is(fromFlux.code, 0, fromFlux.stderr);
  const a = JSON.parse(fromFlux.stdout) as RunResult;
  const b = JSON.parse(fromDir.stdout) as RunResult;
  t.deepEqual(a.analysis, b.analysis);
  t.deepEqual(a.summary, b.summary);
  const md = await runCli(['report', runId, ...flags]);
  t.is(md.code, 0, md.stderr);
  t.regex(md.stdout, new RegExp(`# .*${runId}|${runId}`));
  const compared = await runCli(['compare', runId, `${runId},${runId}`, ...flags, '--format', 'json']);
  t.is(compared.code, 0, compared.stderr);
  const comparison = JSON.parse(compared.stdout) as { verdict: string; base: { runs: Array<{ dir: string }> }; cand: { runs: unknown[] } };
  t.is(comparison.verdict, 'unchanged', 'a run against itself (twice, as repeats)');
  t.is(comparison.base.runs[0]!.dir, `influxdb:llm/${runId}`);
  t.is(comparison.cand.runs.length, 2);
  const missing = await runCli(['report', 'no-such-run', ...flags]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /error\[RUN_NOT_FOUND\]: InfluxDB bucket llm has no llm_run point of run no-such-run/);
});

test.serial('RunData is the same whatever order the records arrive in (requests.jsonl: completion order; InfluxDB: send order)', async (t) => {
  const view = await readRunDirectory(await realRun());
  const records: RequestRecord[] = [];
  for await (const record of view.records()) records.push(record);
  const build = (list: readonly RequestRecord[]) => {
    const builder = new RunDataBuilder();
    for (const record of list) builder.addRecord(record);
    return builder.build();
  };
  const reversed = build([...records].reverse());
  const interleaved = build(records.filter((_, i) => i % 2 === 1).concat(records.filter((_, i) => i % 2 === 0)));
  t.deepEqual(plain(reversed), plain(build(records)));
  t.deepEqual(plain(interleaved), plain(build(records)));
  t.deepEqual(analyzeRun(view.result, reversed), analyzeRun(view.result, build(records)));
});

test('run.json travels on the llm_run point in parts that join back whole, a surrogate pair never cut', (t) => {
  // A description long enough for several parts, with an astral character (a surrogate pair) on every boundary.
  const description = '🙂'.repeat(40_000);
  const result = runResult({ scenario: { name: 'quick', description }, analysis: { scaling: { levels: [], knee: null }, anomalies: [] } as unknown as RunResult['analysis'], sinks: { x: {} } });
  const point = runPoint(result);
  const parts = point.fields.run_json_parts as number;
  t.true(parts >= 5, String(parts));
  const texts = Array.from({ length: parts }, (_, i) => point.fields[i === 0 ? RUN_JSON_FIELD : `${RUN_JSON_FIELD}_${i}`] as string);
  for (const text of texts) {
    t.true(text.length <= 16_000);
    t.true(Buffer.byteLength(text, 'utf8') < 64 * 1024, 'under InfluxDB\'s 64 KiB string field limit');
    t.false(/[\ud800-\udbff]$/.test(text), 'no part ends in half a surrogate pair');
  }
  const { analysis: _analysis, sinks: _sinks, ...expected } = result;
  t.deepEqual(JSON.parse(texts.join('')), expected);
  t.is(point.fields.started_at, result.started_at);
  t.is(typeof point.fields.workload_hash, 'string');
});

test('RFC3339 times with nanoseconds come back as the epoch ms they were written from', (t) => {
  t.is(epochMsOf('2026-11-27T17:20:00.00025Z'), Date.parse('2026-11-27T17:20:00Z') + 0.25);
  t.is(epochMsOf('2026-11-27T17:20:00Z'), Date.parse('2026-11-27T17:20:00Z'));
  // 1795804506986.1 → second 1795804506, 986 099 976 ns (unique-timestamps.ts) → the same float.
  t.is(epochMsOf('2026-11-27T18:35:06.986099976Z'), 1795804506986.1);
  t.throws(() => epochMsOf('yesterday'), { instanceOf: AnalyticsError });
});
