/**
 * Lets the event loop read sockets between bursts of sends. When hundreds of requests fall due in the same
 * instant (1 000 closed-loop users starting together), sending them back to back keeps the thread from
 * reading the first tokens that are already arriving, and those get stamped late. At most `perTurn` sends
 * go out per loop turn; the rest wait for the next turn, after the poll phase has read what arrived.
 *
 * Closed-loop sends also keep to a rate (send-rate-limit.ts), because turns alone do not tame a herd: a turn
 * with nothing to read costs almost nothing, so a thousand users still go out within a few milliseconds, fill
 * the server's accept queue and, on a machine the client shares with the server, take every core at once, so
 * first tokens on both sides are written and read late (bench/README.md, "The 1 000-stream check"). Open-loop
 * arrivals are not held to it: their times are the workload the user asked for.
 *
 * The wait is honest: it shows in t_dispatch and schedule_lag_ms, and in user_send_wait_share, not in TTFT.
 * A finished request's bookkeeping takes turns here too (execute-request.ts): a thousand streams ending in one
 * poll are the mirror image of a thousand sends falling due at once. It is not held to the rate: deferring it
 * moves no timestamp.
 */
import { SendRateLimit } from './send-rate-limit.js';

/** Closed-loop sends per second per worker thread, unless the run says otherwise (--user-send-rate). */
export const DEFAULT_USER_SEND_RATE_PER_S = 4000;

export interface PacerOptions {
  /** Most releases (sends and bookkeeping together) per loop turn. */
  readonly perTurn?: number;
  /** Sends per second that sendTurn() keeps to; Infinity (the default) = none. */
  readonly sendRatePerS?: number;
  /** Monotonic milliseconds; the worker passes its clock. */
  readonly nowMs?: () => number;
}

export class DispatchPacer {
  readonly #sends: Array<() => void> = [];
  readonly #bookkeeping: Array<() => void> = [];
  readonly #rate: SendRateLimit | undefined;
  readonly #nowMs: () => number;
  readonly perTurn: number;
  #releasedThisTurn = 0;
  #armed = false;
  #rateTimer: NodeJS.Timeout | undefined;

  constructor(options: PacerOptions = {}) {
    this.perTurn = options.perTurn ?? 16;
    const perMs = (options.sendRatePerS ?? Number.POSITIVE_INFINITY) / 1000;
    // A burst of two milliseconds' worth: a few users due together still go at once, and the tokens saved
    // while a timer with Node's 1 ms floor overslept are not lost (one millisecond's worth lost them).
    this.#rate = Number.isFinite(perMs) ? new SendRateLimit(perMs, Math.max(1, 2 * perMs)) : undefined;
    this.#nowMs = options.nowMs ?? (() => performance.now());
  }

  /** Resolves when a send may go; undefined (no wait at all) while the turn and the rate have room. */
  sendTurn(): Promise<void> | undefined {
    this.#arm();
    if (this.#sends.length === 0 && this.#roomThisTurn() && (!this.#rate || this.#rate.take(this.#nowMs(), 1) === 1)) {
      this.#releasedThisTurn++;
      return undefined;
    }
    return new Promise((resolve) => this.#sends.push(resolve));
  }

  /** Resolves when a finished request's bookkeeping may run; undefined while the turn has room. */
  turn(): Promise<void> | undefined {
    this.#arm();
    if (this.#bookkeeping.length === 0 && this.#roomThisTurn()) {
      this.#releasedThisTurn++;
      return undefined;
    }
    return new Promise((resolve) => this.#bookkeeping.push(resolve));
  }

  #roomThisTurn(): boolean {
    return this.#releasedThisTurn < this.perTurn;
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    // setImmediate runs after the poll phase: sockets are read before the next sends are released.
    setImmediate(() => this.#nextTurn());
  }

  #nextTurn(): void {
    this.#armed = false;
    const released = this.#bookkeeping.splice(0, this.perTurn);
    const room = this.perTurn - released.length;
    if (this.#sends.length > 0 && room > 0) {
      const wanted = Math.min(room, this.#sends.length);
      const nowMs = this.#nowMs();
      const granted = this.#rate ? this.#rate.take(nowMs, wanted) : wanted;
      released.push(...this.#sends.splice(0, granted));
      if (this.#rate && this.#sends.length > 0 && granted < wanted) this.#waitForRate(this.#rate.waitMs(nowMs));
    }
    this.#releasedThisTurn = released.length;
    for (const resolve of released) resolve();
    const sendsReady = this.#sends.length > 0 && !this.#rateTimer;
    if (this.#bookkeeping.length > 0 || released.length > 0 || sendsReady) this.#arm();
  }

  #waitForRate(waitMs: number): void {
    if (this.#rateTimer) return;
    // Node's timers have a 1 ms floor; a shorter wait sleeps that long and the tokens saved meanwhile go together.
    this.#rateTimer = setTimeout(() => {
      this.#rateTimer = undefined;
      this.#arm();
    }, waitMs);
  }
}
