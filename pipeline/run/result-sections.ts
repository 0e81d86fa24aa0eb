/** Sections of run.json built from what the coordinator measured: host, client health, resources. */
import { availableParallelism, cpus, hostname, platform, release, totalmem } from 'node:os';
import type { ClientHealth, RunSummary } from '../core/run-result.js';
import type { SendLagTally } from './send-lag.js';

export function hostInfo(workers: number): Record<string, unknown> {
  const cpuList = cpus();
  return {
    hostname: hostname(),
    platform: `${platform()} ${release()}`,
    cpu_model: cpuList[0]?.model ?? 'unknown',
    cpu_cores: availableParallelism(),
    memory_bytes: totalmem(),
    node: process.version,
    workers,
  };
}

export interface ClientMeasurements {
  readonly summary: RunSummary;
  readonly sendLag: SendLagTally;
  /** Worst worker event-loop delay p99 over the phases, null when no phase ran. */
  readonly eventLoopDelayP99Ms: number | null;
  /** CPU time of the whole client process / (wall time × usable cores); null when no time passed. */
  readonly clientCpuShare: number | null;
  readonly droppedArrivals: number;
  /** Closed-loop sends per second each worker was allowed; Infinity = no limit. */
  readonly userSendRatePerS: number;
  readonly tuning: Record<string, number | string> | undefined;
}

export function clientHealth(measured: ClientMeasurements): ClientHealth {
  return {
    schedule_lag_p99_ms: measured.summary.metrics.schedule_lag_ms?.p99 ?? null,
    user_send_wait_share: measured.sendLag.userSendWaitShare(),
    event_loop_delay_p99_ms: measured.eventLoopDelayP99Ms,
    client_cpu_pct: measured.clientCpuShare === null ? null : measured.clientCpuShare * 100 * availableParallelism(),
    dropped_arrivals: measured.droppedArrivals,
    user_send_rate_per_worker: Number.isFinite(measured.userSendRatePerS) ? measured.userSendRatePerS : null,
    ...(measured.tuning ? { tuning: measured.tuning } : {}),
  };
}

/** run.json `resources`: the monitor's per-source summaries and the notes taken before the run, plus energy per output token. */
export function resourcesSection(
  monitorSummary: Record<string, unknown> | undefined,
  notes: Record<string, unknown> | undefined,
  summary: RunSummary,
): Record<string, unknown> | undefined {
  if (!monitorSummary && !notes) return undefined;
  const section: Record<string, unknown> = { ...monitorSummary, ...notes };
  const energy = monitorSummary?.gpu_energy as { total_j?: number } | null | undefined;
  const outputTokens = summary.metrics.output_tokens ? summary.metrics.output_tokens.mean * summary.metrics.output_tokens.count : 0;
  if (energy?.total_j !== undefined && outputTokens > 0) section.energy_per_output_token_j = energy.total_j / outputTokens;
  return section;
}
