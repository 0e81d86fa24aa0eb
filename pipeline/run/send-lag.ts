/**
 * Send lag (t_send − t_intended) judged by what it distorts, which differs between the two kinds of load.
 *
 * Open loop: an arrival sent late is load offered late; lag that piles up bends the arrival process the run
 * claims to have generated. Judged in ms, as the p99 over arrivals.
 *
 * Closed loop: a user sends its next request when its last one ends (plus think time). Sending it late only
 * leaves that user's slot empty for a while, so the server sees fewer concurrent users than configured. What
 * matters is how much of the users' time went to waiting, not the wait in ms: when 1 000 users end together
 * and the 1 000th is sent 60 ms after the first, a 6 s request loses 1 % of its user's time (the server saw
 * ~990 users, not 1 000), while a 20 ms request would lose three quarters of it. Judged as the share
 * Σ lag / Σ (t_done − t_intended) over the users' requests.
 */
import { Float64Column } from '../core/float64-column.js';
import type { RequestRecord } from '../core/record.js';
import { percentileSorted } from '../core/stats.js';

export class SendLagTally {
  /** Off the JS heap: one value per open-loop request of the run (core/float64-column.ts). */
  readonly #arrivalLagsMs = new Float64Column();
  #userWaitMs = 0;
  #userSpanMs = 0;
  #userRequests = 0;

  /** A non-warmup record. Only successful ones count, as in the summary's schedule_lag_ms, so the two agree. */
  add(record: RequestRecord): void {
    if (record.status !== 'ok' || record.t_send === undefined) return;
    const lagMs = record.t_send - record.t_intended;
    if (record.user === undefined) {
      this.#arrivalLagsMs.push(lagMs);
    } else if (record.t_done !== undefined) {
      this.#userWaitMs += lagMs;
      this.#userSpanMs += record.t_done - record.t_intended;
      this.#userRequests++;
    }
  }

  /** p99 of the open-loop arrivals' send lag; null without open-loop requests. */
  arrivalLagP99Ms(): number | null {
    if (this.#arrivalLagsMs.length === 0) return null;
    return percentileSorted(this.#arrivalLagsMs.view().slice().sort(), 0.99);
  }

  /** Closed-loop requests behind userSendWaitShare. */
  userRequests(): number {
    return this.#userRequests;
  }

  /** Share (0..1) of the closed-loop users' time spent waiting to send; null without closed-loop requests. */
  userSendWaitShare(): number | null {
    return this.#userSpanMs > 0 ? this.#userWaitMs / this.#userSpanMs : null;
  }
}
