/**
 * Resource monitoring seen from the run: started before the load, stopped after it, points delivered off
 * the request path. Implemented in collectors/resources; the run only knows this interface.
 */
import type { Point } from './point.js';

export interface MonitorContext {
  readonly runId: string;
  /** Called with each batch of samples (already points); must be cheap. */
  readonly onPoints: (points: readonly Point[]) => void;
  /** One-line notices for the user ("GPU: nvidia-smi not found, GPU sampling off"). */
  readonly onNotice: (line: string) => void;
}

export interface RunMonitor {
  start(context: MonitorContext): Promise<void>;
  /** Stops every sampler and returns the `resources` summary for run.json (per-source summaries). */
  stop(): Promise<Record<string, unknown>>;
}
