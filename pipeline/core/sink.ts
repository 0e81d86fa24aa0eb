/**
 * What a run produces, as one ordered stream of events, and the one interface every consumer of it implements
 * (DESIGN §3, STYLE "the summary aggregator is just another sink"). The run directory, the InfluxDB writer, the
 * live progress display, the analysis and the reports are sinks; `cli/` registers them, and the coordinator
 * knows none of them by name: it opens them in order, hands each event to each, and closes them in order.
 *
 * Order of a run: open (every sink in registration order, before any load) → events (to each in that order) →
 * close (in reverse order). Each sink's close sees run.json as it stands and may add a section to it, so the
 * sink registered first (the run directory: it opens first and writes run.json once, last) sees what the others
 * added (analysis, delivery reports).
 */
import type { Point } from './point.js';
import type { RequestRecord } from './record.js';
import type { RunAnalysis, RunResult, StartManifest } from './run-result.js';

/** Who the run is: the identity every sink tags its output with. */
export interface RunIdentity {
  readonly runId: string;
  readonly scenario: string;
  readonly engine: string;
  readonly model: string;
  /** The agent ("2of4") of a segmented run (DESIGN §16): an `agent` tag on its points; absent otherwise. */
  readonly agent?: string;
}

/** What a sink learns when it opens: the identity and the manifest written to run-start.json. */
export interface RunStart extends RunIdentity {
  readonly manifest: StartManifest;
}

/** Where the load is now: handed to sinks a few times a second (the progress display reads it). */
export interface RunProgress {
  readonly phase: string;
  readonly warmup: boolean;
  readonly stage: string;
  /** Users (closed loop) or requests/s (open loop) the current stage aims at. */
  readonly target: number | undefined;
  readonly loadKind: 'closed' | 'open';
  /** Epoch ms of this progress reading. */
  readonly nowMs: number;
  readonly elapsedMs: number;
  /** Planned length of the phase, when it has one. */
  readonly totalMs: number | null;
  readonly requestBudget: number | null;
  readonly inFlight: number;
}

export type RunEvent =
  /** A phase (warmup, the main load, or one sweep level) begins; `stages` are its labelled time spans. */
  | {
      readonly kind: 'phase';
      readonly phase: string;
      readonly warmup: boolean;
      /** Epoch ms of the phase's offset 0. */
      readonly startMs: number;
      readonly stages: ReadonlyArray<{ readonly name: string; readonly index: number; readonly startMs: number; readonly target?: number }>;
    }
  /** Finished requests (ok, error or dropped), in batches as the workers return them. */
  | { readonly kind: 'records'; readonly records: readonly RequestRecord[] }
  /** `llm_window` points, each final when handed out (computed once, by the coordinator; pipeline/run/window-stage.ts). */
  | { readonly kind: 'windows'; readonly windows: readonly Point[] }
  /** Resource samples in point shape (gpu, host, process, engine_metric …). */
  | { readonly kind: 'resources'; readonly points: readonly Point[] }
  | { readonly kind: 'progress'; readonly progress: RunProgress };

/** What a sink may ask of the run while it goes. */
export interface RunControl {
  /** Ends the current phase (a sweep level) early; the run goes on with the next one. */
  endPhase(reason: string): void;
  /** Ends the run: no new requests, in-flight ones cancelled; status `aborted`. */
  stop(reason: string): void;
  /** Ends the run as `failed` (the sink cannot keep what the run produces, e.g. a full disk). */
  fail(reason: string): void;
  /** One-line notices for the user. */
  notice(line: string): void;
}

/** A sink's delivery report; goes to run.json `sinks.<name>`. */
export type SinkReport = Record<string, number | string | boolean | null>;

/** What a sink's close may add to run.json. */
export interface RunSection {
  readonly analysis?: RunAnalysis;
  readonly sinkReport?: SinkReport;
}

export interface RunSink {
  readonly name: string;
  /** Before any load. Throws SinkError('SINK_UNAVAILABLE') when it cannot work (exit 4); then no load starts. */
  open?(start: RunStart, control: RunControl): Promise<void>;
  /** One event, in run order. Returns at once: buffer, never wait on I/O here. */
  write(event: RunEvent): void;
  /** The run is over: flush, and optionally add a section to run.json (sinks close in reverse registration order). */
  close?(result: RunResult): Promise<RunSection | void>;
}
