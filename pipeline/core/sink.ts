/**
 * Where records and samples go besides the run directory (InfluxDB, memory in tests). A sink never blocks
 * the load: write() buffers and returns; failures are counted and reported by stop(), not thrown at the run.
 */
import type { Point } from './point.js';
import type { RequestRecord } from './record.js';
import type { RunResult } from './run-result.js';

export interface RunInfo {
  readonly runId: string;
  readonly scenario: string;
  readonly engine: string;
  readonly model: string;
  /** The run directory (spill files go here). */
  readonly runDir: string;
}

/** What a sink reports at the end; goes to run.json `sinks.<name>`. */
export type SinkReport = Record<string, number | string | boolean | null>;

export interface Sink {
  readonly name: string;
  /** Preflight; throws SinkError('SINK_UNAVAILABLE') before any load starts. */
  start(run: RunInfo): Promise<void>;
  /** Finished requests, in batches as they come back from the workers. Must not block. */
  writeRecords(records: readonly RequestRecord[]): void;
  /** Resource samples and other points (already in point shape). Must not block. */
  writePoints(points: readonly Point[]): void;
  /** The run is over: flush, then report what was written, retried, spilled, lost. */
  stop(result: RunResult): Promise<SinkReport>;
}
