/**
 * Runs a pure timing model on real time with ONE timer for all streams: after every submit, cancel or
 * wake-up it asks the model for its next due time and arms a single setTimeout for it. A thousand streams
 * cost one timer, and everything due at a wake-up is written in one pass (like one engine step).
 * A wake-up never processes an event before its due time; setTimeout fires ≤ ~1 ms late, and the
 * ground truth records the actual write times, so that lateness is measured rather than hidden.
 */
import type { EngineSnapshot, ModelJob, TimedModel } from './engine-model.js';

export interface JobListener {
  onAdmitted(slot: number): void;
  /** Token `index` (1-based) is ready; `last` when it is the job's final token. */
  onToken(index: number, last: boolean): void;
}

export type JobSpec = Omit<ModelJob, 'id'>;

export class EngineDriver {
  readonly #model: TimedModel;
  readonly #nowMs: () => number;
  readonly #listeners = new Map<number, JobListener>();
  #timer: NodeJS.Timeout | undefined;
  #timerDueMs = Number.POSITIVE_INFINITY;
  #nextId = 1;
  #closed = false;

  constructor(model: TimedModel, nowMs: () => number) {
    this.#model = model;
    this.#nowMs = nowMs;
  }

  /** Jobs the engine holds (running or waiting). */
  get inFlight(): number {
    return this.#listeners.size;
  }

  submit(spec: JobSpec, listener: JobListener): number {
    const id = this.#nextId++;
    this.#listeners.set(id, listener);
    this.#model.submit({ ...spec, id });
    // Never pump here: an event already due (a loaded machine, zero prefill) would reach the listener before
    // the caller has the job id it needs to cancel the job. The timer delivers it on the next turn.
    this.#arm();
    return id;
  }

  cancel(jobId: number): void {
    if (!this.#listeners.delete(jobId)) return;
    this.#model.cancel(jobId);
    this.#arm();
  }

  /** Makes the model resident; resolves when it is loaded. */
  load(): Promise<void> {
    const nowMs = this.#nowMs();
    const readyMs = this.#model.load(nowMs);
    this.#arm();
    return new Promise((resolve) => (readyMs <= nowMs ? resolve() : setTimeout(resolve, readyMs - nowMs)));
  }

  unload(): boolean {
    return this.#model.unload();
  }

  /** The engine now: anything already due is processed first, so gauges never lag behind the clock. */
  snapshot(): EngineSnapshot {
    this.#pump();
    return this.#model.snapshot();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  #pump(): void {
    if (this.#closed) return;
    const events = this.#model.advance(this.#nowMs());
    for (const event of events) {
      const listener = this.#listeners.get(event.jobId);
      if (!listener) continue;
      if (event.kind === 'token' && event.last) this.#listeners.delete(event.jobId);
      try {
        if (event.kind === 'admitted') listener.onAdmitted(event.slot);
        else listener.onToken(event.index, event.last);
      } catch (error) {
        // A listener bug must not stop every other stream: drop that job and say so.
        console.error(`simulator: stream handler failed for job ${event.jobId}:`, error);
        this.cancel(event.jobId);
      }
    }
    this.#arm();
  }

  #arm(): void {
    if (this.#closed) return;
    const dueMs = this.#model.nextEventMs();
    if (dueMs === undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerDueMs = Number.POSITIVE_INFINITY;
      return;
    }
    // An armed timer at or before this due time will wake us in time; it re-arms then.
    if (this.#timer && this.#timerDueMs <= dueMs) return;
    clearTimeout(this.#timer);
    this.#timerDueMs = dueMs;
    const delayMs = Math.max(0, dueMs - this.#nowMs());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerDueMs = Number.POSITIVE_INFINITY;
      this.#pump();
    }, delayMs);
  }
}
