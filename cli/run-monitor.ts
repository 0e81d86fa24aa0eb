/** `run` monitoring flags → the resource monitor (collectors/resources), or none with --no-monitor. */
import { parseDurationMs } from '../pipeline/core/clock.js';
import { UsageError } from '../pipeline/core/errors.js';
import type { ExecutionPlan } from '../pipeline/core/plan.js';
import type { RunMonitor } from '../pipeline/core/monitor.js';
import { createMonitor } from '../collectors/resources/monitor.js';
import { positiveInt } from './parse-flags.js';
import type { RunFlags } from './run-flags.js';

export function createRunMonitor(flags: RunFlags, plan: ExecutionPlan, runId: string): RunMonitor {
  const intervalMs = parseDurationMs(flags.monitorInterval);
  if (!Number.isFinite(intervalMs)) {
    throw new UsageError(`--monitor-interval must be a duration like 1s or 500ms, got ${JSON.stringify(flags.monitorInterval)}`);
  }
  return createMonitor({
    runId,
    intervalMs,
    gpu: flags.gpu,
    engine: plan.target.engine,
    engineBaseUrl: plan.target.url,
    serverMetrics: flags.serverMetrics,
    ...(flags.enginePid !== undefined ? { enginePid: positiveInt(flags.enginePid, '--engine-pid') } : {}),
    ...(flags.engineProcess !== undefined ? { engineProcess: flags.engineProcess } : {}),
    ...(flags.engineContainer !== undefined ? { engineContainer: flags.engineContainer } : {}),
  });
}
