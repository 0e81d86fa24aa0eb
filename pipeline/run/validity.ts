/**
 * Does the run measure the server, or the client? (DESIGN §2.2) Each check compares a client-health number
 * with a limit; any failure makes the run `valid: false` with the reason, instead of silently publishing
 * numbers the client distorted.
 */
import type { ValidityCheck } from '../core/run-result.js';

export interface ValidityLimits {
  /** p99 of t_send − t_intended (ms). */
  readonly scheduleLagP99Ms: number;
  /** Worst worker event-loop delay p99 (ms). */
  readonly eventLoopDelayP99Ms: number;
  /** Client CPU as a share of the cores it could use (0..1). */
  readonly clientCpuShare: number;
}

export const DEFAULT_VALIDITY_LIMITS: ValidityLimits = {
  scheduleLagP99Ms: 25,
  eventLoopDelayP99Ms: 50,
  clientCpuShare: 0.9,
};

export interface ClientMeasurements {
  readonly scheduleLagP99Ms: number | null;
  readonly eventLoopDelayP99Ms: number | null;
  /** CPU time of the whole client process / (wall time × usable cores). */
  readonly clientCpuShare: number | null;
  /** Requests the run sent (no requests = nothing measured). */
  readonly requestsSent: number;
}

export function validityChecks(measured: ClientMeasurements, limits: ValidityLimits = DEFAULT_VALIDITY_LIMITS): ValidityCheck[] {
  return [
    {
      name: 'requests_sent',
      ok: measured.requestsSent > 0,
      value: measured.requestsSent,
      limit: 1,
      detail: 'at least one request must have been sent',
    },
    check('schedule_lag_p99_ms', measured.scheduleLagP99Ms, limits.scheduleLagP99Ms,
      'requests left later than scheduled: the client could not keep up with the load it was asked to generate'),
    check('event_loop_delay_p99_ms', measured.eventLoopDelayP99Ms, limits.eventLoopDelayP99Ms,
      'a worker thread was blocked: chunk arrival times are late by up to this much'),
    check('client_cpu_share', measured.clientCpuShare, limits.clientCpuShare,
      'the client used nearly all the CPU it had; its timing is suspect (use more cores, fewer streams, or --workers)'),
  ];
}

function check(name: string, value: number | null, limit: number, why: string): ValidityCheck {
  const ok = value === null || value <= limit;
  return { name, ok, value, limit, detail: ok ? `≤ ${limit}` : why };
}
