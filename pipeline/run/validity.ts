/**
 * Does the run measure the server, or the client? (DESIGN §2.2) Each check compares a client-health number
 * with a limit; any failure makes the run `valid: false` with the reason, instead of silently publishing
 * numbers the client distorted.
 */
import type { ClockCheck, ValidityCheck } from '../core/run-result.js';

export interface ValidityLimits {
  /** p99 of t_send − t_intended over open-loop arrivals (ms). */
  readonly scheduleLagP99Ms: number;
  /** Share of closed-loop users' time spent waiting to send (0..1); send-lag.ts says why a share. */
  readonly userSendWaitShare: number;
  /** Worst worker event-loop delay p99 (ms). */
  readonly eventLoopDelayP99Ms: number;
  /** Client CPU as a share of the cores it could use (0..1). */
  readonly clientCpuShare: number;
}

/**
 * Below this many closed-loop requests the send-wait share is reported but not judged: a run of a few requests
 * spends a fixed few milliseconds connecting and being scheduled, which is a large share of a short run without
 * saying anything about the load (a 2-request run at 1 user measured 0.05–0.08).
 */
export const MIN_REQUESTS_TO_JUDGE_SEND_WAIT = 50;

export const DEFAULT_VALIDITY_LIMITS: ValidityLimits = {
  scheduleLagP99Ms: 25,
  // The server saw at least 95 % of the users configured, on average over the run.
  userSendWaitShare: 0.05,
  eventLoopDelayP99Ms: 50,
  clientCpuShare: 0.9,
};

export interface ClientMeasurements {
  /** Open-loop arrivals only; null when the run had none. */
  readonly scheduleLagP99Ms: number | null;
  /** Closed-loop users only; null when the run had none. */
  readonly userSendWaitShare: number | null;
  /** Closed-loop requests the share was measured over. */
  readonly closedLoopRequests?: number;
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
      'open-loop arrivals left later than scheduled: the client could not keep up with the rate it was asked to generate'),
    userSendWaitCheck(measured, limits.userSendWaitShare),
    check('event_loop_delay_p99_ms', measured.eventLoopDelayP99Ms, limits.eventLoopDelayP99Ms,
      'a worker thread was blocked: chunk arrival times are late by up to this much'),
    check('client_cpu_share', measured.clientCpuShare, limits.clientCpuShare,
      'the client used nearly all the CPU it had; its timing is suspect (use more cores, fewer streams, or --workers)'),
  ];
}

/** The share names its fix: users that all start at once wait for the send rate; ramping them in or running longer spreads that wait. */
function userSendWaitCheck(measured: ClientMeasurements, limit: number): ValidityCheck {
  const share = measured.userSendWaitShare;
  const requests = measured.closedLoopRequests ?? Number.POSITIVE_INFINITY;
  if (share !== null && requests < MIN_REQUESTS_TO_JUDGE_SEND_WAIT) {
    return { name: 'user_send_wait_share', ok: true, value: share, limit, detail: `not judged: ${requests} closed-loop requests, fewer than ${MIN_REQUESTS_TO_JUDGE_SEND_WAIT}` };
  }
  return check('user_send_wait_share', share, limit,
    `closed-loop users spent ${share === null ? '-' : (share * 100).toFixed(1)} % of their time waiting to send (limit ${limit * 100} %), so the server saw that many fewer concurrent users than configured. ` +
      'Users that start together queue for the send rate (--user-send-rate, per worker): ramp them in (--stages "10s:N,60s:N" instead of --concurrency N), ' +
      'run longer so the start is a smaller share, or add --workers on a machine with more cores');
}

function check(name: string, value: number | null, limit: number, why: string): ValidityCheck {
  const ok = value === null || value <= limit;
  return { name, ok, value, limit, detail: ok ? `≤ ${limit}` : why };
}

/**
 * A segment's meeting with the others (DESIGN §16): its start lag against --start-at, and its clock. A clock is
 * failed only when it is off for certain; `undetermined` passes and says what could not be told.
 */
export function sharedStartChecks(startLagMs: number | undefined, clockCheck: ClockCheck | undefined, budgetMs: number): ValidityCheck[] {
  const checks: ValidityCheck[] = [];
  if (startLagMs !== undefined) {
    const ok = startLagMs <= budgetMs;
    checks.push({
      name: 'segment_start_lag_ms',
      ok,
      value: startLagMs,
      limit: budgetMs,
      detail: ok
        ? `≤ ${budgetMs}`
        : 'this agent began its first measured phase after --start-at, so its share of the schedule ran that much later than the other agents\' (nothing skipped); give the agents more time (and their warmup) before --start-at',
    });
  }
  if (clockCheck) {
    const nearest = clockCheck.offset_low_ms === null || clockCheck.offset_high_ms === null
      ? null
      : clockCheck.offset_low_ms > 0 ? clockCheck.offset_low_ms : clockCheck.offset_high_ms < 0 ? clockCheck.offset_high_ms : 0;
    checks.push({ name: 'clock_offset_ms', ok: clockCheck.verdict !== 'beyond', value: nearest, limit: budgetMs, detail: clockCheck.detail });
  }
  return checks;
}
