/**
 * How a run stops, and why: the reasons run.json gives (`abort_reason`, status `aborted` or `failed`) and the
 * RunControl the sinks are handed. Stopping asks the worker pool to stop the running phase (no new requests,
 * in-flight ones cancelled); ending a phase early (a saturated sweep level) does the same for that phase only.
 */
import type { Phase } from '../core/plan.js';
import type { RunControl } from '../core/sink.js';

export class RunStop {
  #abortReason: string | undefined;
  #failReason: string | undefined;
  #pool: { stop(reason: string): void } | undefined;
  #phase: Phase | undefined;
  readonly #phaseEnds = new Map<Phase, string>();

  constructor(private readonly notice: (line: string) => void) {}

  /** The pool whose phases a stop ends. */
  attach(pool: { stop(reason: string): void }): void {
    this.#pool = pool;
  }

  enterPhase(phase: Phase): void {
    this.#phase = phase;
  }

  get abortReason(): string | undefined {
    return this.#abortReason;
  }

  get failReason(): string | undefined {
    return this.#failReason;
  }

  /** Why `phase` ended before its stop condition, if it did. */
  phaseEnd(phase: Phase): string | undefined {
    return this.#phaseEnds.get(phase);
  }

  stop(reason: string): void {
    this.#abortReason ??= reason;
    this.#pool?.stop(reason);
  }

  fail(reason: string): void {
    this.#failReason ??= reason;
    this.stop(reason);
  }

  endPhase(reason: string): void {
    const phase = this.#phase;
    if (!phase || this.#phaseEnds.has(phase)) return;
    this.#phaseEnds.set(phase, reason);
    this.notice(`phase ${phase.name} ended early: ${reason}`);
    this.#pool?.stop(reason);
  }

  status(): 'completed' | 'aborted' | 'failed' {
    return this.#failReason ? 'failed' : this.#abortReason ? 'aborted' : 'completed';
  }

  control(): RunControl {
    return {
      stop: (reason) => this.stop(reason),
      fail: (reason) => this.fail(reason),
      endPhase: (reason) => this.endPhase(reason),
      notice: this.notice,
    };
  }
}
