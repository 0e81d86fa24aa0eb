/**
 * merge (DESIGN §16) on synthetic segment directories: what it refuses (other runs, other scenarios or thresholds,
 * other workloads, a missing or repeated segment: exit 2, naming it), and what it writes: the union of the records
 * each marked with its agent, summary and thresholds computed on that union, windows recomputed from it, resources
 * kept per agent.
 */
import test from 'ava';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError, type ErrorCode } from '../../../pipeline/core/errors.js';
import type { Point } from '../../../pipeline/core/point.js';
import type { RequestRecord } from '../../../pipeline/core/record.js';
import { RUN_SCHEMA_VERSION, type RunResult, type StartManifest } from '../../../pipeline/core/run-result.js';
import type { RunEvent, RunSink } from '../../../pipeline/core/sink.js';
import { slosOf } from '../../../pipeline/run/goodput-slos.js';
import { RunSummarizer } from '../../../pipeline/run/run-summarizer.js';
import { windowPoints } from '../../../pipeline/run/windows.js';
import { compileThresholds, evaluateThresholds, validateScenario, workloadFingerprint } from '../../../pipeline/scenario/index.js';
import { mergeSegments, readSegments } from '../../../pipeline/sinks/merge-segments.js';
import { RunDirectorySink } from '../../../pipeline/sinks/run-directory.js';
import { okRecord } from './helpers/records.js';

const target = { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'tiny' } as const;
const scenarioOf = (thresholds: Record<string, string[]>, rate = 10) =>
  validateScenario({ name: 'merge-test', target, load: { executor: 'constant-rate', rate, duration: '2s' }, thresholds }, 'test');
const THRESHOLDS = { ttft_ms: ['p50 < 50'], rps: ['> 6'] };

interface SegmentSpec {
  readonly index: number;
  readonly count: number;
  readonly runId?: string;
  readonly thresholds?: Record<string, string[]>;
  readonly rate?: number;
  readonly noSegment?: boolean;
}

/** A segment's run directory as `llmbench run --segment` leaves it: run-start.json, run.json, requests and resources. */
async function writeSegment(root: string, spec: SegmentSpec): Promise<{ dir: string; records: RequestRecord[] }> {
  const dir = join(root, `seg-${spec.index}of${spec.count}-${Math.random().toString(16).slice(2, 6)}`);
  await mkdir(dir, { recursive: true });
  const runId = spec.runId ?? 'run-x';
  const agent = `${spec.index}of${spec.count}`;
  const scenario = scenarioOf(spec.thresholds ?? THRESHOLDS, spec.rate);
  const stored = { ...JSON.parse(JSON.stringify(scenario)), ...(spec.noSegment ? {} : { segment: `${spec.index}/${spec.count}` }) };
  const segment = spec.noSegment ? undefined : { index: spec.index, count: spec.count, agent, start_at_ms: 1_795_800_000_000 };
  // Arrival i of the whole schedule lies in segment (i mod N) + 1; TTFTs differ per segment, so the union's percentiles are nobody's.
  const records: RequestRecord[] = [];
  for (let i = spec.index - 1; i < 12; i += spec.count) {
    const sendMs = 1_795_800_000_000 + i * 100 + 0.5;
    records.push({ ...okRecord({ requestId: `${runId}-main-s${agent}-w0-${records.length}`, sendMs, ttftMs: 30 + 5 * spec.index + i, tokens: 3 }), run_id: runId, t_intended: sendMs - 0.5 });
  }
  const manifest: StartManifest = {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: runId,
    tool: { name: 'llmbench', version: '0.1.0' },
    started_at: new Date(1_795_800_000_000 - spec.index).toISOString(),
    scenario: stored,
    workload_fingerprint: workloadFingerprint(scenario),
    target,
    host: { hostname: `agent-${spec.index}`, cpu_cores: 2, workers: 1 },
    phases: [{ name: 'main', warmup: false, stages: [{ name: 'main', index: 0, target: 10 }] }],
    ...(segment ? { segment } : {}),
  };
  const summarizer = new RunSummarizer();
  summarizer.add(records);
  const result: RunResult = {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: runId,
    tool: { name: 'llmbench', version: '0.1.0' },
    status: 'completed',
    valid: true,
    validity: [
      { name: 'requests_sent', ok: true, value: records.length, limit: 1, detail: '' },
      { name: 'event_loop_delay_p99_ms', ok: true, value: spec.index, limit: 50, detail: '≤ 50' },
      { name: 'client_cpu_share', ok: true, value: 0.1 * spec.index, limit: 0.9, detail: '≤ 0.9' },
      { name: 'segment_start_lag_ms', ok: true, value: 0, limit: 25, detail: '≤ 25' },
    ],
    started_at: manifest.started_at,
    ended_at: new Date(1_795_800_002_000 + spec.index).toISOString(),
    scenario: stored,
    workload_fingerprint: workloadFingerprint(scenario),
    target: { ...target, api: 'completions', network_rtt_ms: 0.2 },
    host: manifest.host,
    client_health: { schedule_lag_p99_ms: 0.5, event_loop_delay_p99_ms: spec.index, client_cpu_pct: 10 * spec.index, dropped_arrivals: spec.index },
    summary: summarizer.summary(),
    stages: summarizer.stages(manifest.phases),
    resources: { series: [{ measurement: 'process', tags: { role: 'client' }, fields: { cpu_pct: { count: 2, mean: 5, min: 4, max: 6 } } }], notices: ['nvml: no GPU'] },
    ...(segment ? { segment: { ...segment, start_lag_ms: 0 } } : {}),
  };
  const sample: Point = { measurement: 'process', tags: { role: 'client', host: `agent-${spec.index}` }, fields: { cpu_pct: 5 }, time_ms: 1_795_800_000_500 };
  await writeFile(join(dir, 'run-start.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'run.json'), JSON.stringify(result));
  await writeFile(join(dir, 'requests.jsonl'), records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  await writeFile(join(dir, 'resources.jsonl'), JSON.stringify(sample) + '\n');
  return { dir, records };
}

const tmp = () => mkdtemp(join(tmpdir(), 'llmbench-merge-'));

async function refusal(t: import('ava').ExecutionContext, dirs: string[], code: ErrorCode, mentions: RegExp[]): Promise<void> {
  const error = await t.throwsAsync(readSegments(dirs));
  t.true(error instanceof BenchError);
  t.is((error as BenchError).code, code);
  t.is((error as BenchError).exitCode, 2);
  for (const mention of mentions) t.regex(error!.message, mention);
}

test('a missing segment is refused with exit 2, naming it; a repeated one too', async (t) => {
  const root = await tmp();
  const [a, b, c] = await Promise.all([1, 2, 3].map((index) => writeSegment(root, { index, count: 3 })));
  await refusal(t, [a!.dir, c!.dir], 'SEGMENTS_INCOMPLETE', [/segment 2\/3 is missing/]);
  await refusal(t, [a!.dir, b!.dir, c!.dir, b!.dir], 'SEGMENTS_INCOMPLETE', [/segment 2\/3 is given 2 times/]);
  const partial = await readSegments([a!.dir, c!.dir], { allowPartial: true });
  t.deepEqual(partial.missing, ['2/3']);
});

test('segments of different runs, scenarios, thresholds or workloads are refused, each difference named', async (t) => {
  const root = await tmp();
  const a = await writeSegment(root, { index: 1, count: 2 });
  const otherRun = await writeSegment(root, { index: 2, count: 2, runId: 'run-y' });
  await refusal(t, [a.dir, otherRun.dir], 'WORKLOAD_MISMATCH', [/run ids differ: run-x \(.*seg-1of2.*\); run-y/]);
  const otherThreshold = await writeSegment(root, { index: 2, count: 2, thresholds: { ttft_ms: ['p50 < 99'], rps: ['> 6'] } });
  await refusal(t, [a.dir, otherThreshold.dir], 'WORKLOAD_MISMATCH', [/thresholds\.ttft_ms: \["p50 < 50"\] ≠ \["p50 < 99"\]/]);
  const otherRate = await writeSegment(root, { index: 2, count: 2, rate: 20 });
  await refusal(t, [a.dir, otherRate.dir], 'WORKLOAD_MISMATCH', [/workload fingerprints differ/, /load\.rate: 10 ≠ 20/]);
  const otherCount = await writeSegment(root, { index: 2, count: 3 });
  await refusal(t, [a.dir, otherCount.dir], 'WORKLOAD_MISMATCH', [/segment counts differ/]);
  const notSegment = await writeSegment(root, { index: 2, count: 2, noSegment: true });
  await refusal(t, [a.dir, notSegment.dir], 'USAGE', [/is not a segment/]);
});

test('the merged run: the records unioned with their agents, summary and thresholds on the union, windows from it, resources per agent', async (t) => {
  const root = await tmp();
  const segments = await Promise.all([1, 2, 3].map((index) => writeSegment(root, { index, count: 3 })));
  const out = join(root, 'merged');
  const events: RunEvent[] = [];
  const memory: RunSink = { name: 'memory', write: (event) => void events.push(event) };
  const set = await readSegments(segments.map((segment) => segment.dir).reverse());
  t.deepEqual(set.segments.map((segment) => segment.agent), ['1of3', '2of3', '3of3']);
  const { result } = await mergeSegments(set, { sinks: [new RunDirectorySink(out), memory] });

  const union = segments.flatMap((segment) => segment.records);
  const { thresholds } = compileThresholds(scenarioOf(THRESHOLDS));
  const reference = new RunSummarizer(slosOf(thresholds));
  reference.add(union);
  t.deepEqual(result.summary, reference.summary());
  t.deepEqual(result.thresholds, evaluateThresholds(reference.summary(), thresholds));
  // rps > 6 is judged on the whole run's rate: each segment's third of it would fail (k6-operator's issue #115).
  t.is(result.summary.requests.ok, 12);
  t.deepEqual(result.thresholds!.map((threshold) => [threshold.metric, threshold.ok]), [['ttft_ms', true], ['rps', true]]);
  for (const segment of segments) {
    const alone = new RunSummarizer();
    alone.add(segment.records);
    t.false(evaluateThresholds(alone.summary(), thresholds).find((threshold) => threshold.metric === 'rps')!.ok, 'a segment alone fails rps > 6');
  }

  const stored = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.deepEqual(stored.summary, result.summary);
  t.is(stored.run_id, 'run-x');
  t.false('segment' in stored.scenario, 'the merged scenario is the shared one, without segment');
  t.deepEqual(stored.segments!.map((segment) => [segment.agent, segment.records, segment.host]), [['1of3', 4, 'agent-1'], ['2of3', 4, 'agent-2'], ['3of3', 4, 'agent-3']]);
  t.is(stored.client_health.dropped_arrivals, 6);
  t.is(stored.client_health.event_loop_delay_p99_ms, 3);
  t.is(stored.valid, true);
  t.true(stored.validity.some((check) => check.name === 'segments_complete' && check.ok));
  t.true(stored.validity.some((check) => check.name === 'unique_request_ids' && check.ok && check.value === 0));

  const lines = (await readFile(join(out, 'requests.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
  t.is(lines.length, union.length);
  t.is(new Set(lines.map((record) => record.request_id)).size, union.length, 'no request id repeats');
  t.true(lines.every((record) => record.agent === record.request_id.match(/-s(\d+of\d+)-/)![1]));
  const done = lines.map((record) => record.t_done!);
  t.deepEqual(done, [...done].sort((a, b) => a - b), 'in completion order');

  const windows = (await readFile(join(out, 'windows.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Point);
  t.deepEqual(windows, windowPoints(union, { runId: 'run-x', engine: 'vllm', model: 'tiny' }));
  t.true(windows.every((window) => !('agent' in window.tags)), 'the whole run\'s windows');

  const resources = events.flatMap((event) => (event.kind === 'resources' ? event.points : []));
  t.deepEqual(resources.map((point) => point.tags.agent), ['1of3', '2of3', '3of3']);
  const series = (stored.resources!.series as Array<{ tags: Record<string, string> }>).map((item) => item.tags.agent);
  t.deepEqual(series, ['1of3', '2of3', '3of3']);
  t.deepEqual(stored.resources!.notices, ['agent 1of3: nvml: no GPU', 'agent 2of3: nvml: no GPU', 'agent 3of3: nvml: no GPU']);
  const start = JSON.parse(await readFile(join(out, 'run-start.json'), 'utf8')) as StartManifest;
  t.is(start.segment, undefined);
});

test('--allow-partial merges what is there and marks the run invalid, saying which segment is missing', async (t) => {
  const root = await tmp();
  const [a, , c] = await Promise.all([1, 2, 3].map((index) => writeSegment(root, { index, count: 3 })));
  const out = join(root, 'merged');
  const { result } = await mergeSegments(await readSegments([a!.dir, c!.dir], { allowPartial: true }), { sinks: [new RunDirectorySink(out)] });
  t.is(result.summary.requests.ok, 8);
  t.false(result.valid);
  t.deepEqual(result.missing_segments, ['2/3']);
  t.regex(result.validity.find((check) => check.name === 'segments_complete')!.detail, /2\/3 missing/);
});

test('a refused merge writes nothing', async (t) => {
  const root = await tmp();
  const a = await writeSegment(root, { index: 1, count: 2 });
  await t.throwsAsync(readSegments([a.dir]));
  t.false(existsSync(join(root, 'merged')));
});
