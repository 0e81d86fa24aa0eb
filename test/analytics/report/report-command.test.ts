/** report.html where people get it: written by the analytics sink at the end of a run, and by `llmbench report --format html`. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { AnalyticsSink } from '../../../analytics/analytics-sink.js';
import { RUN_FILES } from '../../../pipeline/sinks/run-files.js';
import { runCli } from '../../helpers/cli.js';
import { chartData } from './helpers/chart-data.js';
import { syntheticRun, type SyntheticRun } from './helpers/synthetic-run.js';

async function tempDir(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-report-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const jsonl = (items: readonly unknown[]) => items.map((item) => JSON.stringify(item)).join('\n') + '\n';

async function writeRunDirectory(dir: string, run: SyntheticRun): Promise<void> {
  await writeFile(join(dir, RUN_FILES.run), JSON.stringify(run.result));
  await writeFile(join(dir, RUN_FILES.requests), jsonl(run.records));
  await writeFile(join(dir, RUN_FILES.windows), jsonl(run.data.windows));
  const resources = run.data.resources.all().flatMap((series) =>
    Array.from(series.values.view(), (value, i) => ({ measurement: series.measurement, tags: series.tags, fields: { [series.field]: value }, time_ms: series.timesMs.view()[i] })),
  );
  await writeFile(join(dir, RUN_FILES.resources), jsonl(resources));
}

test('the analytics sink writes report.html beside report.md when the run closes', async (t) => {
  const dir = await tempDir(t);
  const run = syntheticRun({ requests: 300, durationS: 12 });
  const sink = new AnalyticsSink(dir, async function* () {
    yield* run.records;
  });
  sink.write({ kind: 'windows', windows: run.data.windows });
  const { analysis: _analysis, ...result } = run.result;
  await sink.close(result);
  const html = await readFile(join(dir, RUN_FILES.reportHtml), 'utf8');
  t.regex(html, /^<!doctype html>/);
  t.true(html.includes('llmbench run synthetic-run'));
  const ids = chartData(html).charts.map((chart) => chart.id);
  t.true(ids.includes('cdf-ttft_ms') && ids.includes('timeline-rps'), ids.join(' '));
  t.regex(await readFile(join(dir, RUN_FILES.reportMd), 'utf8'), /## Analysis/);
});

test('llmbench report RUN --format html prints the page; --out FILE writes it instead', async (t) => {
  const dir = await tempDir(t);
  const run = syntheticRun({ requests: 300, durationS: 12 });
  await writeRunDirectory(dir, run);

  const printed = await runCli(['report', dir, '--format', 'html']);
  t.is(printed.code, 0, printed.stderr);
  t.regex(printed.stdout, /^<!doctype html>/);
  const ids = chartData(printed.stdout).charts.map((chart) => chart.id);
  for (const id of ['cdf-ttft_ms', 'timeline-in-flight', 'scaling-latency', 'resources-gpu', 'resources-engine']) t.true(ids.includes(id), id);

  const out = join(dir, 'page.html');
  const written = await runCli(['report', dir, '--format', 'html', '--out', out]);
  t.is(written.code, 0, written.stderr);
  t.is(written.stdout, '');
  t.is(await readFile(out, 'utf8'), printed.stdout);
});
