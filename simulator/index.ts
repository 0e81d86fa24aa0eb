/**
 * The engine simulator's programmatic API (DESIGN §9): a real HTTP server speaking one engine's dialect,
 * with a continuous-batching performance model (or fixed latencies), fault injection, and per-request
 * ground truth. Tests, the demo and the fidelity bench call `startSimulator`; `llmbench sim` wraps it.
 */
import { DIALECTS } from './dialects/index.js';
import type { GroundTruthRecord } from './ground-truth.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { listen } from './server.js';

export type { GroundTruthRecord } from './ground-truth.js';
export type { FaultKind } from './faults.js';
export type { Faults, FixedLatency, PerfModel, SimEngine, SimulatorOptions } from './options.js';
export { DEFAULT_PERF, SIM_ENGINES, SimOptionError, resolveOptions as resolveSimOptions } from './options.js';
export { countTextTokens } from './tokens.js';

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:43117 */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, drops every open stream and resolves when the server is closed. */
  close(): Promise<void>;
  /** Completed requests' ground truth, oldest first (also at GET /__sim/requests). */
  groundTruth(): GroundTruthRecord[];
}

/** Starts a simulator; throws SimOptionError (a UsageError) for invalid options. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const resolved = resolveOptions(options);
  const sim = await listen(resolved, DIALECTS[resolved.engine]);
  return {
    url: sim.url,
    port: sim.port,
    close: () => sim.close(),
    groundTruth: () => sim.core.groundTruth.list(),
  };
}
