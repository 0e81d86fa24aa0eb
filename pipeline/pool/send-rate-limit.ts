/**
 * A token bucket over sends: tokens accrue at `perMs` per millisecond up to `burst`, and each send takes one.
 * The dispatch pacer holds closed-loop users to it (dispatch-pacer.ts says why); all times come from the
 * caller, so the arithmetic is tested without a clock.
 */
export class SendRateLimit {
  #tokens: number;
  #atMs: number | undefined;

  constructor(
    /** Sends per millisecond, > 0. */
    readonly perMs: number,
    /** Sends that may go back to back after a quiet spell, ≥ 1. */
    readonly burst: number,
  ) {
    if (!(perMs > 0 && Number.isFinite(perMs))) throw new RangeError(`send rate must be a finite number > 0 per ms, got ${perMs}`);
    if (!(burst >= 1)) throw new RangeError(`send burst must be ≥ 1, got ${burst}`);
    this.#tokens = burst;
  }

  /** How many sends may go at `nowMs`, taking them: at most `wanted`. */
  take(nowMs: number, wanted: number): number {
    this.#accrue(nowMs);
    const granted = Math.max(0, Math.min(wanted, Math.floor(this.#tokens)));
    this.#tokens -= granted;
    return granted;
  }

  /** Milliseconds from `nowMs` until the next send may go; 0 when one may go now. */
  waitMs(nowMs: number): number {
    this.#accrue(nowMs);
    return this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.perMs;
  }

  #accrue(nowMs: number): void {
    if (this.#atMs !== undefined && nowMs > this.#atMs) {
      this.#tokens = Math.min(this.burst, this.#tokens + (nowMs - this.#atMs) * this.perMs);
    }
    this.#atMs = Math.max(nowMs, this.#atMs ?? nowMs);
  }
}
