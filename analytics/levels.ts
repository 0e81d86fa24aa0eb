/**
 * The load levels of a run, as the scaling and SLO analyses see them: one per stage of run.json (a sweep
 * level, a stage of a ramp, or the whole run), with the rows of the request table that belong to it and the
 * level's load (users or requests/s). A stage of a ramp is steady only when its target equals the one before
 * (a hold): only steady levels are compared for the knee and the SLO limit, since a ramp stage's load varies.
 */
import type { RunResult, StageSummary } from '../pipeline/core/run-result.js';
import { STATUS_CODES, type RequestTable, type TableMetric } from './run-data.js';

export interface LoadLevel {
  readonly stage: StageSummary;
  readonly level: number;
  readonly kind: 'concurrency' | 'rate';
  readonly steady: boolean;
  /** Row indices of the level's requests (every status). */
  readonly rows: readonly number[];
}

export function loadLevels(result: RunResult, table: RequestTable): LoadLevel[] {
  const load = (result.scenario.load ?? {}) as Record<string, unknown>;
  const kind = loadKind(load);
  const rowsByStage = new Map<number, number[]>();
  const stages = table.stageIndex.view();
  for (let row = 0; row < table.length; row++) {
    const index = stages[row]!;
    let rows = rowsByStage.get(index);
    if (!rows) rowsByStage.set(index, (rows = []));
    rows.push(row);
  }
  const rampTargets = rampStartTargets(load);
  return result.stages
    .filter((stage) => stage.requests.total > 0)
    .map((stage, i) => {
      const level = stage.target ?? constantLevel(load) ?? Number.NaN;
      const steady = rampTargets ? rampTargets[i] === stage.target : true;
      return { stage, level, kind, steady, rows: rowsByStage.get(stage.index) ?? [] };
    })
    .filter((level) => Number.isFinite(level.level));
}

/** The values of `metric` over a level's ok requests, ascending. */
export function sortedValues(table: RequestTable, rows: readonly number[], metric: TableMetric): Float64Array {
  return valuesInOrder(table, rows, metric).sort();
}

/** The values of `metric` over a level's ok requests, in the table's order (send order). */
export function valuesInOrder(table: RequestTable, rows: readonly number[], metric: TableMetric): Float64Array {
  const status = table.status.view();
  const column = table.metrics[metric].view();
  const values: number[] = [];
  for (const row of rows) {
    if (status[row] !== STATUS_CODES.ok) continue;
    const value = column[row]!;
    if (!Number.isNaN(value)) values.push(value);
  }
  return Float64Array.from(values);
}

function loadKind(load: Record<string, unknown>): 'concurrency' | 'rate' {
  const executor = load.executor;
  if (executor === 'constant-rate' || executor === 'ramping-rate') return 'rate';
  if (executor === 'sweep' && load.mode === 'rate') return 'rate';
  return 'concurrency';
}

function constantLevel(load: Record<string, unknown>): number | undefined {
  if (typeof load.users === 'number') return load.users;
  if (typeof load.rate === 'number') return load.rate;
  return undefined;
}

/** For a ramp, the target each stage starts from (the previous stage's target); undefined for other loads. */
function rampStartTargets(load: Record<string, unknown>): number[] | undefined {
  if (load.executor !== 'ramping-concurrency' && load.executor !== 'ramping-rate') return undefined;
  const stages = (load.stages ?? []) as Array<{ target: number }>;
  const starts: number[] = [];
  let previous = typeof load.start_target === 'number' ? load.start_target : 0;
  for (const stage of stages) {
    starts.push(previous);
    previous = stage.target;
  }
  return starts;
}
