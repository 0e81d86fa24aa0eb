/**
 * A run read back from InfluxDB (DESIGN §8): what a run directory gives analyzeRun and compare, from the queries in
 * analytics/flux/: the RunResult from the `llm_run` point (run.json travels in its run_json fields, see
 * pipeline/sinks/points.ts), the records from `llm_request` and `llm_token` points, the 1 s windows from
 * `llm_window` points and the resource samples from the run's other measurements. The RunData is built by the same
 * builder as from a run directory, so the analysis is the same.
 */
import { AnalyticsError } from '../pipeline/core/errors.js';
import type { RequestRecord } from '../pipeline/core/record.js';
import type { RunResult } from '../pipeline/core/run-result.js';
import { WindowAccumulator } from '../pipeline/run/windows.js';
import { RUN_JSON_FIELD, RUN_JSON_PARTS_FIELD } from '../pipeline/sinks/points.js';
import type { SideRun } from './compare.js';
import type { FluxSource, TimeRange } from './flux-source.js';
import { RunDataBuilder, type RunData } from './run-data.js';

export interface FluxRun {
  readonly result: RunResult;
  readonly data: RunData;
  /** Ordered by send time. */
  readonly records: readonly RequestRecord[];
}

export async function readRunFromFlux(source: FluxSource, runId: string, range: TimeRange = {}): Promise<FluxRun> {
  const params = { run_id: runId, start: range.start ?? new Date(0), stop: range.stop ?? new Date() };
  const summaryRows = await source.rows('run-summary', params);
  if (summaryRows.length === 0) {
    throw new AnalyticsError('RUN_NOT_FOUND', `InfluxDB bucket ${source.bucket} has no llm_run point of run ${runId}`, {
      hint: 'check the run id and bucket; a run still going (or killed) has none yet: `llmbench push` its run directory',
    });
  }
  const result = resultOfRow(summaryRows[summaryRows.length - 1]!, runId);
  const records = await source.records(runId, range);
  const builder = new RunDataBuilder();
  for (const record of records) builder.addRecord(record);
  const windows = await source.points('run-windows', params);
  if (windows.length > 0) builder.addWindows(windows);
  else {
    // Points written before windows were stored: the windows from the records, by the code the run uses.
    const accumulator = new WindowAccumulator({ runId, engine: result.target.engine, model: result.target.model });
    for (const record of records) accumulator.add(record);
    builder.addWindows(accumulator.takeAll());
  }
  builder.addResources(await source.points('run-resources', params));
  return { result, data: builder.build(), records };
}

/** A side of `llmbench compare` read from InfluxDB: one run id, or several (repeats) given as "id1,id2". */
export async function loadFluxSide(source: FluxSource, runIds: string, range: TimeRange = {}): Promise<SideRun[]> {
  const ids = runIds.split(',').map((id) => id.trim()).filter(Boolean);
  const runs: SideRun[] = [];
  for (const id of ids) {
    const run = await readRunFromFlux(source, id, range);
    runs.push({ dir: `influxdb:${source.bucket}/${id}`, result: run.result, data: run.data });
  }
  return runs.sort((a, b) => a.result.started_at.localeCompare(b.result.started_at));
}

/** run.json from the llm_run row: its run_json parts joined in order. */
function resultOfRow(row: Readonly<Record<string, unknown>>, runId: string): RunResult {
  const partCount = typeof row[RUN_JSON_PARTS_FIELD] === 'number' ? (row[RUN_JSON_PARTS_FIELD] as number) : 1;
  const parts: string[] = [];
  for (let i = 0; i < partCount; i++) {
    const part = row[i === 0 ? RUN_JSON_FIELD : `${RUN_JSON_FIELD}_${i}`];
    if (typeof part !== 'string' || part === '') {
      throw new AnalyticsError('RUN_DAMAGED', `the llm_run point of run ${runId} has no ${i === 0 ? RUN_JSON_FIELD : `${RUN_JSON_FIELD}_${i}`} field (${partCount} parts expected)`, {
        hint: 'it was written by an older llmbench (or only in part): `llmbench push` the run directory again',
      });
    }
    parts.push(part);
  }
  try {
    return JSON.parse(parts.join('')) as RunResult;
  } catch (cause) {
    throw new AnalyticsError('RUN_DAMAGED', `the run.json stored on the llm_run point of run ${runId} is not valid JSON`, { cause, hint: '`llmbench push` the run directory again' });
  }
}
