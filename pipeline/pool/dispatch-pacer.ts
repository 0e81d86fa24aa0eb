/**
 * Lets the event loop read sockets between bursts of sends. When hundreds of requests fall due in the same
 * instant (1 000 closed-loop users starting together), sending them back to back keeps the thread from
 * reading the first tokens that are already arriving, and those get stamped late. At most `perTurn` sends
 * go out per loop turn; the rest wait for the next turn, after the poll phase has read what arrived.
 * The wait is honest: it shows in t_dispatch and schedule_lag_ms, not in TTFT.
 * A finished request's bookkeeping takes turns here too (execute-request.ts): a thousand streams ending in one
 * poll are the mirror image of a thousand sends falling due at once.
 */
export class DispatchPacer {
  readonly #waiting: Array<() => void> = [];
  #sentThisTurn = 0;
  #armed = false;

  constructor(private readonly perTurn = 16) {}

  /** Resolves when this send may go; undefined (no wait at all) while the turn has room. */
  turn(): Promise<void> | undefined {
    this.#arm();
    if (this.#waiting.length === 0 && this.#sentThisTurn < this.perTurn) {
      this.#sentThisTurn++;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    // setImmediate runs after the poll phase: sockets are read before the next sends are released.
    setImmediate(() => this.#nextTurn());
  }

  #nextTurn(): void {
    this.#armed = false;
    const release = this.#waiting.splice(0, this.perTurn);
    this.#sentThisTurn = release.length;
    for (const resolve of release) resolve();
    if (this.#waiting.length > 0 || release.length > 0) this.#arm();
  }
}
