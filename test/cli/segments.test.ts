/**
 * Load beyond one machine, end to end (DESIGN §16): four local agent processes (`llmbench run --segment i/4
 * --run-id X --start-at T`) against one in-process simulator, then `llmbench merge`. The merged run must account
 * for exactly the one-machine schedule (the compiled arrivals, or users), with no request id repeated, and its
 * counts, percentiles and threshold verdict must be those of the union of the agents' records; a missing segment
 * is refused with exit 2. A few seconds of load each, serial: eight agents at once would crowd two cores.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/index.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { slosOf } from '../../pipeline/run/goodput-slos.js';
import { RunSummarizer } from '../../pipeline/run/run-summarizer.js';
import { applyOverrides, compileScenario, compileThresholds, evaluateThresholds, loadScenario, type ScenarioOverrides } from '../../pipeline/scenario/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';

const AGENTS = 4;
/** Time for four processes to start, check the engine and its clock, and warm up before the shared start. */
const START_LEAD_MS = 6000;

const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;
const readRecords = async (dir: string) =>
  (await readFile(join(dir, 'requests.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Differences between two summaries beyond float rounding: sums over the same records taken in another order
 * (the merge reads them in completion order, the union here agent by agent) may differ in the last bits.
 */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? [] : [`${path}: ${a} ≠ ${b}`];
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) => differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`));
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

interface Agents {
  readonly dirs: string[];
  readonly results: CliResult[];
  readonly runs: RunResult[];
  readonly records: RequestRecord[][];
  readonly startAtMs: number;
}

/** Runs the agents with the same flags, each its segment; `delayMs[i]` holds agent i back (to start it late). */
async function runAgents(root: string, runId: string, flags: string[], delayMs: number[] = []): Promise<Agents> {
  const startAtMs = Date.now() + START_LEAD_MS;
  const dirs = Array.from({ length: AGENTS }, (_, i) => join(root, `agent-${i + 1}`));
  const results = await Promise.all(
    dirs.map(async (dir, i) => {
      if (delayMs[i]) await sleep(delayMs[i]!);
      // Half the agents are told their clock offset (as chrony would), half check it against the engine's Date header.
      const clock = i % 2 === 0 ? ['--clock-offset-ms', '0'] : [];
      return runCli(['run', ...flags, '--segment', `${i + 1}/${AGENTS}`, '--run-id', runId, '--start-at', String(startAtMs), ...clock,
        '--out', dir, '--no-monitor', '--quiet', '--workers', '1'], { timeoutMs: 60_000 });
    }),
  );
  const runs = await Promise.all(dirs.map((dir) => readJson<RunResult>(join(dir, 'run.json'))));
  const records = await Promise.all(dirs.map(readRecords));
  return { dirs, results, runs, records, startAtMs };
}

/** The summary and verdict computed here, on the union of the agents' records, by the summarizer and threshold code. */
function unionVerdict(records: RequestRecord[], thresholdFlags: string[]) {
  const { thresholds } = compileThresholds(applyOverrides({ name: 'x', workload: { prompt_tokens: 1, max_tokens: 1, stream: true, seed: 1, timeouts: { connect: '1s', first_token: '1s', idle: '1s' } }, load: { executor: 'constant-rate', rate: 1, duration: '1s', arrival: 'poisson', max_in_flight: 1 } } as never, { thresholds: thresholdFlags }));
  const summarizer = new RunSummarizer(slosOf(thresholds));
  summarizer.add(records);
  const summary = summarizer.summary();
  return { summary, thresholds: evaluateThresholds(summary, thresholds) };
}

test.serial('four open-loop agents and merge: exactly the one-machine arrivals, thresholds on the merged records', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', seed: 5, fixed: { ttftMs: 5, itlMs: 2 } });
  t.teardown(() => sim.close());
  const root = await mkdtemp(join(tmpdir(), 'llmbench-segments-'));
  const load: ScenarioOverrides = { engine: 'vllm', url: sim.url, model: 'sim', rate: '40', arrival: 'poisson', duration: '2s', maxTokens: '8', promptTokens: '8' };
  // rps > 25 only the whole run can pass (each agent sends a quarter of 40/s); ttft p50 < 1 ms nothing passes.
  const thresholdFlags = ['rps:>25', 'ttft_ms:p50<1'];
  const flags = ['--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--rate', '40', '--arrival', 'poisson', '--duration', '2s',
    '--max-tokens', '8', '--prompt-tokens', '8', ...thresholdFlags.flatMap((threshold) => ['--threshold', threshold])];
  const agents = await runAgents(root, 'seg-open', flags);
  for (const [i, result] of agents.results.entries()) {
    t.is(result.code, 0, `agent ${i + 1}: a segment does not judge thresholds\n${result.stderr}`);
    t.regex(result.stderr, /threshold\(s\) are judged by `llmbench merge` on the whole run/);
    t.is(agents.runs[i]!.thresholds, undefined);
    t.deepEqual({ index: agents.runs[i]!.segment!.index, count: agents.runs[i]!.segment!.count, agent: agents.runs[i]!.segment!.agent }, { index: i + 1, count: 4, agent: `${i + 1}of4` });
    t.is(agents.runs[i]!.segment!.clock!.source, i % 2 === 0 ? 'clock-offset-ms' : 'date-header');
  }
  const out = join(root, 'merged');
  const merged = await runCli(['merge', ...agents.dirs, '--out', out]);
  const run = await readJson<RunResult>(join(out, 'run.json'));
  const mergedRecords = await readRecords(out);
  const union = agents.records.flat();

  // The schedule: the compiled one-machine arrivals, each exactly once, at its offset from the shared start.
  const plan = compileScenario(applyOverrides(await loadScenario('quick'), load));
  const main = plan.phases.find((phase) => !phase.warmup)!;
  const arrivalsMs = main.load.kind === 'open' ? main.load.arrivalsMs : [];
  const lagOf = new Map(agents.runs.map((agentRun) => [agentRun.segment!.agent, agentRun.segment!.start_lag_ms ?? 0]));
  const measured = mergedRecords.filter((record) => !record.warmup);
  const offsets = measured.map((record) => record.t_intended - agents.startAtMs - lagOf.get(record.agent!)!).sort((a, b) => a - b);
  t.is(measured.length, arrivalsMs.length);
  t.true(offsets.every((offset, i) => Math.abs(offset - arrivalsMs[i]!) < 0.01), 'each compiled arrival once, at its offset');
  t.is(new Set(mergedRecords.map((record) => record.request_id)).size, mergedRecords.length, 'no request id repeats');
  t.is(mergedRecords.length, union.length);

  // Counts, percentiles and verdict: those of the union of the agents' records.
  const reference = unionVerdict(union, thresholdFlags);
  t.deepEqual(differences(run.summary, reference.summary), []);
  t.deepEqual(differences(run.thresholds, reference.thresholds), []);
  for (const stat of ['count', 'min', 'p50', 'p95', 'p99', 'max'] as const) {
    t.is(run.summary.metrics.ttft_ms![stat], reference.summary.metrics.ttft_ms![stat], `ttft_ms ${stat} is exact: order does not touch it`);
  }
  t.is(run.summary.requests.total, arrivalsMs.length);
  t.deepEqual(run.thresholds!.map((threshold) => [threshold.metric, threshold.ok]), [['ttft_ms', false], ['rps', true]]);
  t.is(merged.code, 99, merged.stderr);
  t.regex(merged.stderr, /THRESHOLDS_FAILED[\s\S]*ttft_ms: p50 < 1/);
  t.deepEqual(run.segments!.map((segment) => segment.agent), ['1of4', '2of4', '3of4', '4of4']);
  t.deepEqual(run.segments!.map((segment) => segment.records), agents.records.map((records) => records.length));
  t.log(`merged: ${run.summary.requests.ok} ok of ${arrivalsMs.length} arrivals, rps ${run.summary.throughput.rps.toFixed(1)}, agents' rps ${agents.runs.map((r) => r.summary.throughput.rps.toFixed(1)).join(', ')}, start lags ${[...lagOf.values()].map((lag) => lag.toFixed(1)).join(', ')} ms`);
  const report = await readFile(join(out, 'report.md'), 'utf8');
  t.regex(report, /## Metrics/);
  t.regex(report, /\*\*Merged\*\*: 4 segments: 1of4 \(\d+ records, completed/);
  t.regex(await readFile(join(agents.dirs[1]!, 'report.md'), 'utf8'), /\*\*Segment\*\*: 2 of 4 \(agent 2of4\) of run seg-open/);

  // A missing segment is refused, naming it; nothing is written.
  const partial = await runCli(['merge', ...agents.dirs.slice(0, 3), '--out', join(root, 'partial')]);
  t.is(partial.code, 2);
  t.regex(partial.stderr, /SEGMENTS_INCOMPLETE[\s\S]*segment 4\/4 is missing/);
});

test.serial('four closed-loop agents, each with its own warmup, one of them late: every user once, the late one says so', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', seed: 6, fixed: { ttftMs: 20, itlMs: 5 } });
  t.teardown(() => sim.close());
  const root = await mkdtemp(join(tmpdir(), 'llmbench-segments-'));
  const flags = ['--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--stages', '1s:8,1s:8', '--warmup', '4', '--max-tokens', '8', '--prompt-tokens', '8'];
  // Agent 4 starts after the shared start has passed.
  const agents = await runAgents(root, 'seg-closed', flags, [0, 0, 0, START_LEAD_MS + 400]);
  for (const [i, result] of agents.results.entries()) t.is(result.code, 0, `agent ${i + 1}\n${result.stderr}`);
  const late = agents.runs[3]!.segment!;
  t.true(late.start_lag_ms! > 25, `the late agent reports its lag: ${late.start_lag_ms}`);
  t.regex(agents.results[3]!.stderr, /started \d+ ms after --start-at/);
  t.false(agents.runs[3]!.valid);
  // Each agent ran its own warmup: its share of the 4 warmup requests.
  t.deepEqual(agents.records.map((records) => records.filter((record) => record.warmup).length), [1, 1, 1, 1]);

  const out = join(root, 'merged');
  const merged = await runCli(['merge', ...agents.dirs, '--out', out]);
  t.is(merged.code, 0, merged.stderr);
  const run = await readJson<RunResult>(join(out, 'run.json'));
  const mergedRecords = await readRecords(out);
  const measured = mergedRecords.filter((record) => !record.warmup);
  // The one-machine schedule's users: 0..7, each run by the agent its index stripes to; the late agent skipped none.
  t.deepEqual([...new Set(measured.map((record) => record.user))].sort((a, b) => a! - b!), [0, 1, 2, 3, 4, 5, 6, 7]);
  t.true(measured.every((record) => record.agent === `${(record.user! % AGENTS) + 1}of4`));
  t.deepEqual([...new Set(measured.filter((record) => record.agent === '4of4').map((record) => record.user))].sort(), [3, 7]);
  t.is(new Set(mergedRecords.map((record) => record.request_id)).size, mergedRecords.length);
  t.deepEqual(differences(run.summary, unionVerdict(agents.records.flat(), []).summary), []);
  t.is(run.summary.requests.warmup, 4);
  const lag = run.validity.find((check) => check.name === 'segment_start_lag_ms')!;
  t.false(lag.ok);
  t.regex(lag.detail, /agent 4of4/);
  t.false(run.valid);
});

test('segment flags: bad values and what a segment cannot do are refused with exit 2, naming the flag', async (t) => {
  const target = ['--engine', 'vllm', '--url', 'http://127.0.0.1:9', '--model', 'sim', '--no-monitor', '--quiet'];
  const cases: Array<[string[], RegExp]> = [
    [['--segment', '5/4', '--requests', '4'], /--segment \(segment\): the segment index I must be from 1 to 4/],
    [['--segment', '1/2', '--run-id', 'Run_1', '--requests', '4'], /--run-id must be lower-case letters, digits and "-"/],
    [['--segment', '1/2', '--start-at', '1795800000', '--requests', '4'], /--start-at 1795800000 looks like seconds, not milliseconds[\s\S]*hint: multiply by 1000/],
    [['--segment', '1/2', '--start-at', 'soon', '--requests', '4'], /--start-at must be an epoch time in whole milliseconds/],
    [['--segment', '1/2', '--clock-offset-ms', '3', '--requests', '4'], /--clock-offset-ms judges this clock for a shared start: it needs --start-at/],
    [['--segment', '1/2', '--requests', '4', '--stop-on-saturation'], /--stop-on-saturation would end each segment on its own share/],
    [['sweep', '--segment', '1/2', '--slo', 'ttft_ms:p95<1000'], /--slo on a sweep searches levels from the results so far/],
    [['--segment', '1/2', '--requests', '4', '--compare-stream'], /--compare-stream runs two runs/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(['run', ...args, ...target]);
    t.is(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    t.regex(result.stderr, message, args.join(' '));
  }
});
