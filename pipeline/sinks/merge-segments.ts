/**
 * `llmbench merge` (DESIGN §16): the run directories of one run's segments, made into one run directory as if one
 * machine had run the whole schedule. Two steps, so nothing is written when the segments do not belong together:
 * - readSegments checks them: one run id, one segment count, the same scenario (thresholds included, the
 *   `segment` key aside) and workload fingerprint, every segment 1..N exactly once (a missing one only with
 *   allowPartial). Every problem is reported at once, naming the directory and the segment.
 * - mergeSegments replays them through the same sinks a run writes to (the run directory first, then analysis and
 *   reports): the records of all segments, unioned in completion order and each marked with its agent; every
 *   agent's resource samples, tagged with it; then run.json, with summary, stages, client health and thresholds
 *   computed on the merged records by the coordinator's own summarizer, the 1 s windows recomputed from them by
 *   the run's window code, and `segments` saying what went in.
 * Thresholds are judged here, once, on the whole run: k6-operator judges them per runner (its users' issue #115).
 */
import { BenchError, UsageError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import {
  RUN_SCHEMA_VERSION,
  type ClientHealth,
  type MergedSegment,
  type RunResult,
  type RunStatus,
  type StartManifest,
  type ThresholdResult,
  type ValidityCheck,
} from '../core/run-result.js';
import type { RunControl, RunIdentity, RunSink } from '../core/sink.js';
import { agentLabel, type Segment } from '../core/segment.js';
import { toolVersion } from '../core/version.js';
import { slosOf } from '../run/goodput-slos.js';
import { RunSummarizer, type PlannedPhase } from '../run/run-summarizer.js';
import { SinkSet } from '../run/sink-set.js';
import { validityChecks } from '../run/validity.js';
import { completionMs, WindowAccumulator } from '../run/windows.js';
import { compileThresholds, evaluateThresholds, validateScenario, valueDifferences, type Threshold } from '../scenario/index.js';
import { readRunDirectory, type RunDirectoryView } from './run-directory-reader.js';

export interface ReadSegmentsOptions {
  /** Merge what is there when segments are missing (the merged run is then marked invalid). */
  readonly allowPartial?: boolean;
  readonly onNotice?: (line: string) => void;
}

/** One segment's run directory, read and identified. */
export interface SegmentRun {
  readonly dir: string;
  readonly view: RunDirectoryView;
  readonly segment: Segment;
  readonly agent: string;
}

/** Segments that belong together, in segment order, and what they share. */
export interface SegmentSet {
  readonly runId: string;
  readonly count: number;
  readonly segments: readonly SegmentRun[];
  /** "3/4" for each segment not given (only with allowPartial). */
  readonly missing: readonly string[];
  /** The scenario they share, without `segment`. */
  readonly scenario: Record<string, unknown> & { name: string };
  /** The --slo expressions their analyses used (the merged run's analysis uses them too). */
  readonly analysisSlos: readonly string[];
}

export async function readSegments(dirs: readonly string[], options: ReadSegmentsOptions = {}): Promise<SegmentSet> {
  if (dirs.length === 0) throw new UsageError('merge needs the run directories of the segments', { hint: 'llmbench merge runs/ID-1of4 runs/ID-2of4 … --out runs/ID' });
  const notice = options.onNotice ?? (() => {});
  const runs: SegmentRun[] = [];
  const notSegments: string[] = [];
  for (const dir of dirs) {
    const view = await readRunDirectory(dir, { onWarning: notice });
    const info = view.result.segment ?? view.manifest?.segment;
    if (!info) {
      notSegments.push(`${dir} is not a segment (its run.json has no segment: it was run without --segment)`);
      continue;
    }
    const segment = { index: info.index, count: info.count };
    runs.push({ dir, view, segment, agent: agentLabel(segment) });
  }
  if (notSegments.length > 0) throw new UsageError(notSegments.join('\n'), { hint: 'merge joins the run directories of `llmbench run --segment I/N --run-id ID` agents' });

  const first = runs[0]!;
  const mismatches: string[] = [];
  const differing = (what: string, value: (run: SegmentRun) => string) => {
    const groups = new Map<string, string[]>();
    for (const run of runs) groups.set(value(run), [...(groups.get(value(run)) ?? []), run.dir]);
    if (groups.size > 1) mismatches.push(`${what} differ: ${[...groups].map(([key, group]) => `${key} (${group.join(', ')})`).join('; ')}`);
  };
  differing('run ids', (run) => run.view.result.run_id);
  differing('segment counts', (run) => String(run.segment.count));
  differing('workload fingerprints', (run) => run.view.result.workload_fingerprint?.hash ?? 'none');
  const reference = sharedScenario(first.view.result.scenario);
  for (const run of runs.slice(1)) {
    const differences = valueDifferences(reference, sharedScenario(run.view.result.scenario));
    if (differences.length > 0) mismatches.push(`the scenario of ${run.dir} differs from ${first.dir}'s: ${differences.join('; ')}`);
  }
  if (mismatches.length > 0) {
    throw new BenchError('WORKLOAD_MISMATCH', `these are not segments of one run:\n${mismatches.map((line) => `  ${line}`).join('\n')}`, {
      hint: 'merge the run directories of one `--run-id`, all run with the same scenario, flags and thresholds',
    });
  }

  const count = first.segment.count;
  const byIndex = new Map<number, SegmentRun[]>();
  for (const run of runs) byIndex.set(run.segment.index, [...(byIndex.get(run.segment.index) ?? []), run]);
  const problems: string[] = [];
  const missing: string[] = [];
  for (let index = 1; index <= count; index++) {
    const given = byIndex.get(index) ?? [];
    if (given.length > 1) problems.push(`segment ${index}/${count} is given ${given.length} times: ${given.map((run) => run.dir).join(', ')}`);
    if (given.length === 0) missing.push(`${index}/${count}`);
  }
  if (missing.length > 0 && !options.allowPartial) problems.push(...missing.map((label) => `segment ${label} is missing`));
  if (problems.length > 0) {
    throw new BenchError('SEGMENTS_INCOMPLETE', `run ${first.view.result.run_id} cannot be merged:\n${problems.map((line) => `  ${line}`).join('\n')}`, {
      hint: missing.length > 0
        ? 'pass every segment\'s run directory once, or --allow-partial to merge what is there (the merged run is then marked invalid: it is not the whole schedule)'
        : 'pass every segment\'s run directory once',
    });
  }
  if (missing.length > 0) notice(`merging without segment${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (--allow-partial): the merged run is not the whole schedule`);
  return {
    runId: first.view.result.run_id,
    count,
    segments: [...runs].sort((a, b) => a.segment.index - b.segment.index),
    missing,
    scenario: reference,
    analysisSlos: first.view.result.slos ?? first.view.result.analysis?.slo?.slos ?? [],
  };
}

export interface MergeOptions {
  /** The merged run's sinks, as a run registers them: the run directory first, then analysis and reports. */
  readonly sinks: readonly RunSink[];
  readonly onNotice?: (line: string) => void;
}

/** Records handed to the sinks at once. */
const BATCH = 1000;

export async function mergeSegments(set: SegmentSet, options: MergeOptions): Promise<{ result: RunResult }> {
  const notice = options.onNotice ?? (() => {});
  const results = set.segments.map((run) => run.view.result);
  const first = results[0]!;
  const thresholds = scenarioThresholds(set);
  const identity: RunIdentity = { runId: set.runId, scenario: set.scenario.name, engine: first.target.engine, model: first.target.model };
  const host = mergedHost(set.segments);
  const startedAt = earliest(results.map((result) => result.started_at));
  const phases: PlannedPhase[] = set.segments[0]!.view.manifest?.phases ?? phasesOf(first);
  const manifest: StartManifest = {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: set.runId,
    tool: { name: 'llmbench', version: toolVersion() },
    started_at: startedAt,
    scenario: set.scenario,
    ...(first.workload_fingerprint ? { workload_fingerprint: first.workload_fingerprint } : {}),
    target: { engine: first.target.engine, url: first.target.url, model: first.target.model, api: first.target.api },
    host,
    phases: phases.map((phase) => ({ name: phase.name, warmup: phase.warmup, stages: phase.stages.map((stage) => ({ ...stage })) })),
  };

  const sinks = new SinkSet(options.sinks, notice);
  let failure: string | undefined;
  const control: RunControl = {
    endPhase: () => {},
    stop: (reason) => notice(`a sink asked to stop the merge (${reason}); it goes on: its input is already complete`),
    fail: (reason) => {
      failure ??= reason;
    },
    notice,
  };
  await sinks.openAll({ ...identity, manifest }, control);

  const summarizer = new RunSummarizer(slosOf(thresholds));
  const windows = new WindowAccumulator(identity);
  const ids = new Set<string>();
  let duplicates = 0;
  const recordCounts = new Map<string, number>();
  let batch: RequestRecord[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    summarizer.add(batch);
    sinks.write({ kind: 'records', records: batch });
    batch = [];
  };
  for await (const record of inCompletionOrder(set.segments)) {
    if (ids.has(record.request_id)) duplicates++;
    else ids.add(record.request_id);
    recordCounts.set(record.agent!, (recordCounts.get(record.agent!) ?? 0) + 1);
    windows.add(record);
    batch.push(record);
    if (batch.length >= BATCH) flush();
  }
  flush();
  const windowPoints = windows.takeAll();
  if (windowPoints.length > 0) sinks.write({ kind: 'windows', windows: windowPoints });
  for (const run of set.segments) {
    let points: Point[] = [];
    for await (const point of run.view.resources()) {
      points.push({ ...point, tags: { ...point.tags, agent: run.agent } });
      if (points.length >= BATCH) {
        sinks.write({ kind: 'resources', points });
        points = [];
      }
    }
    if (points.length > 0) sinks.write({ kind: 'resources', points });
  }

  const summary = summarizer.summary();
  const segments: MergedSegment[] = set.segments.map((run) => ({
    index: run.segment.index,
    count: run.segment.count,
    agent: run.agent,
    dir: run.dir,
    status: run.view.result.status,
    valid: run.view.result.valid,
    records: recordCounts.get(run.agent) ?? 0,
    started_at: run.view.result.started_at,
    ended_at: run.view.result.ended_at,
    start_lag_ms: run.view.result.segment?.start_lag_ms ?? null,
    clock: run.view.result.segment?.clock ?? null,
    host: typeof run.view.result.host.hostname === 'string' ? run.view.result.host.hostname : null,
  }));
  const abortReasons = set.segments.flatMap((run) => (run.view.result.abort_reason ? [`agent ${run.agent}: ${run.view.result.abort_reason}`] : []));
  const validity = mergedValidity(set, summarizer, duplicates);
  const thresholdResults: ThresholdResult[] = evaluateThresholds(summary, thresholds);
  const resources = mergedResources(set.segments);
  const result: RunResult = {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: set.runId,
    tool: { name: 'llmbench', version: toolVersion() },
    status: failure ? 'failed' : worstStatus(results.map((r) => r.status)),
    ...(failure || abortReasons.length > 0 ? { abort_reason: [...(failure ? [failure] : []), ...abortReasons].join('; ') } : {}),
    valid: validity.every((check) => check.ok),
    validity,
    started_at: startedAt,
    ended_at: latest(results.map((r) => r.ended_at)),
    scenario: set.scenario,
    ...(first.workload_fingerprint ? { workload_fingerprint: first.workload_fingerprint } : {}),
    target: first.target,
    host,
    ...(set.analysisSlos.length > 0 ? { slos: [...set.analysisSlos] } : {}),
    client_health: mergedClientHealth(results, summary.metrics.schedule_lag_ms?.p99 ?? null, summarizer.sendLag.userSendWaitShare()),
    summary,
    stages: summarizer.stages(phases),
    thresholds: thresholdResults,
    ...(resources ? { resources } : {}),
    windows: { emitted: windowPoints.length, late_records: 0 },
    segments,
    ...(set.missing.length > 0 ? { missing_segments: [...set.missing] } : {}),
  };
  return { result: await sinks.closeAll(result) };
}

/** The scenario the segments share: each one's, less its own `segment` key. */
function sharedScenario(scenario: RunResult['scenario']): RunResult['scenario'] {
  const { segment: _segment, ...rest } = scenario;
  return rest as RunResult['scenario'];
}

/** The shared scenario's thresholds, parsed by the schema and threshold code a run uses. */
function scenarioThresholds(set: SegmentSet): Threshold[] {
  const source = `the scenario in ${set.segments[0]!.dir}/run.json`;
  return compileThresholds(validateScenario(structuredClone(set.scenario), source)).thresholds;
}

/** The union of the segments' records, ordered by completion across segments (each file is close to that order already), each with its agent. */
async function* inCompletionOrder(segments: readonly SegmentRun[]): AsyncGenerator<RequestRecord> {
  const heads = await Promise.all(
    segments.map(async (run) => {
      const records = run.view.records();
      return { run, records, next: await records.next() };
    }),
  );
  for (;;) {
    let best: (typeof heads)[number] | undefined;
    for (const head of heads) {
      if (head.next.done) continue;
      if (!best || completionMs(head.next.value) < completionMs(best.next.value as RequestRecord)) best = head;
    }
    if (!best) return;
    const record = best.next.value as RequestRecord;
    best.next = await best.records.next();
    yield { ...record, agent: best.run.agent };
  }
}

/**
 * The merged run's validity: the client checks recomputed on the merged records where records decide them
 * (schedule lag, send wait), the worst agent's where only the agent measured them (event-loop delay, CPU), each
 * agent's own checks of the shared start (start lag, clock), and whether every segment is there and ended.
 */
function mergedValidity(set: SegmentSet, summarizer: RunSummarizer, duplicateIds: number): ValidityCheck[] {
  const checksNamed = (name: string) => set.segments.flatMap((run) => run.view.result.validity.filter((check) => check.name === name).map((check) => ({ run, check })));
  const worstValue = (name: string): number | null => {
    const values = checksNamed(name).map(({ check }) => check.value).filter((value): value is number => value !== null);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const sent = checksNamed('requests_sent').reduce((sum, { check }) => sum + (check.value ?? 0), 0);
  const checks = validityChecks({
    scheduleLagP99Ms: summarizer.sendLag.arrivalLagP99Ms(),
    userSendWaitShare: summarizer.sendLag.userSendWaitShare(),
    closedLoopRequests: summarizer.sendLag.userRequests(),
    eventLoopDelayP99Ms: worstValue('event_loop_delay_p99_ms'),
    clientCpuShare: worstValue('client_cpu_share'),
    requestsSent: sent,
  });
  for (const name of ['segment_start_lag_ms', 'clock_offset_ms']) {
    const found = checksNamed(name);
    if (found.length === 0) continue;
    const failed = found.filter(({ check }) => !check.ok);
    const values = found.map(({ check }) => check.value).filter((value): value is number => value !== null);
    checks.push({
      name,
      ok: failed.length === 0,
      value: values.length > 0 ? values.reduce((worst, value) => (Math.abs(value) > Math.abs(worst) ? value : worst)) : null,
      limit: found[0]!.check.limit,
      detail: failed.length === 0 ? `every agent: ${found[0]!.check.detail}` : failed.map(({ run, check }) => `agent ${run.agent}: ${check.detail}`).join('; '),
    });
  }
  const unfinished = set.segments.filter((run) => run.view.result.status !== 'completed');
  const complete = set.missing.length === 0 && unfinished.length === 0;
  checks.push({
    name: 'segments_complete',
    ok: complete,
    value: set.segments.length - unfinished.length,
    limit: set.count,
    detail: complete
      ? `all ${set.count} segments, each completed`
      : [
          ...(set.missing.length > 0 ? [`segment${set.missing.length > 1 ? 's' : ''} ${set.missing.join(', ')} missing (--allow-partial): this is not the whole schedule`] : []),
          ...unfinished.map((run) => `segment ${run.segment.index}/${run.segment.count} ${run.view.result.status}`),
        ].join('; '),
  });
  checks.push({
    name: 'unique_request_ids',
    ok: duplicateIds === 0,
    value: duplicateIds,
    limit: 0,
    detail: duplicateIds === 0 ? 'no request id repeats' : 'request ids repeat across the segments: the same segment was recorded twice, or the directories were changed',
  });
  return checks;
}

/** Client health of the whole run: lag figures from the merged records, per-agent figures at their worst, drops summed. */
function mergedClientHealth(results: readonly RunResult[], scheduleLagP99Ms: number | null, userSendWaitShare: number | null): ClientHealth {
  const worst = (pick: (health: ClientHealth) => number | null | undefined): number | null => {
    const values = results.map((result) => pick(result.client_health)).filter((value): value is number => typeof value === 'number');
    return values.length > 0 ? Math.max(...values) : null;
  };
  const rate = results[0]!.client_health.user_send_rate_per_worker;
  return {
    schedule_lag_p99_ms: scheduleLagP99Ms,
    user_send_wait_share: userSendWaitShare,
    event_loop_delay_p99_ms: worst((health) => health.event_loop_delay_p99_ms),
    client_cpu_pct: worst((health) => health.client_cpu_pct),
    dropped_arrivals: results.reduce((sum, result) => sum + result.client_health.dropped_arrivals, 0),
    ...(rate !== undefined ? { user_send_rate_per_worker: rate } : {}),
  };
}

/** run.json `host` of a merged run: the agents' hosts by agent, with their names, cores and workers added up. */
function mergedHost(segments: readonly SegmentRun[]): Record<string, unknown> {
  const hosts = segments.map((run) => run.view.result.host);
  const total = (key: string) => hosts.reduce((sum, host) => sum + (typeof host[key] === 'number' ? (host[key] as number) : 0), 0);
  const names = [...new Set(hosts.map((host) => String(host.hostname ?? 'unknown')))];
  return {
    hostname: names.join(', '),
    cpu_cores: total('cpu_cores'),
    workers: total('workers'),
    agents: Object.fromEntries(segments.map((run) => [run.agent, run.view.result.host])),
  };
}

/**
 * run.json `resources` of a merged run, kept per agent: every agent's series tagged with it (so the report names
 * the agent beside each), their samplers and notices labelled with it, and each agent's whole section under
 * `per_agent`.
 */
function mergedResources(segments: readonly SegmentRun[]): Record<string, unknown> | undefined {
  const withResources = segments.filter((run) => run.view.result.resources);
  if (withResources.length === 0) return undefined;
  const series: unknown[] = [];
  const samplers: Record<string, unknown> = {};
  const notices: string[] = [];
  const perAgent: Record<string, unknown> = {};
  for (const run of withResources) {
    const section = run.view.result.resources!;
    perAgent[run.agent] = section;
    if (Array.isArray(section.series)) {
      for (const item of section.series) {
        const tags = typeof item === 'object' && item !== null && 'tags' in item ? (item as { tags?: Record<string, string> }).tags : undefined;
        series.push({ ...(item as object), tags: { ...tags, agent: run.agent } });
      }
    }
    if (typeof section.samplers === 'object' && section.samplers !== null) {
      for (const [label, report] of Object.entries(section.samplers)) samplers[`agent ${run.agent}: ${label}`] = report;
    }
    if (Array.isArray(section.notices)) notices.push(...section.notices.filter((line): line is string => typeof line === 'string').map((line) => `agent ${run.agent}: ${line}`));
  }
  return { series, samplers, notices, per_agent: perAgent };
}

/** The phases as run-start.json would list them, for a segment that has none (from its run.json stages). */
function phasesOf(result: RunResult): PlannedPhase[] {
  const byPhase = new Map<string, Array<{ name: string; index: number; target?: number }>>();
  for (const stage of result.stages) byPhase.set(stage.phase, [...(byPhase.get(stage.phase) ?? []), { name: stage.name, index: stage.index, ...(stage.target !== undefined ? { target: stage.target } : {}) }]);
  return [...byPhase].map(([name, stages]) => ({ name, warmup: false, stages }));
}

/** failed > aborted > incomplete > completed: the merged run is as finished as its least finished segment. */
function worstStatus(statuses: readonly RunStatus[]): RunStatus {
  for (const status of ['failed', 'aborted', 'incomplete'] as const) if (statuses.includes(status)) return status;
  return 'completed';
}

function earliest(times: readonly string[]): string {
  return times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

function latest(times: readonly string[]): string {
  return times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}
