/**
 * Runs a pure timing model on real time with ONE timer for all streams: after every submit, cancel or
 * wake-up it asks the model for its next due time and arms a single setTimeout for it. A thousand streams
 * cost one timer. What is due at a wake-up is handed out at most EVENTS_PER_TURN at a time, with a loop turn in
 * between: a thousand due tokens written in one pass (~30 ms here) kept new requests unread in the socket
 * buffer, and the ground truth counts a request from when it was read.
 * A wake-up never processes an event before its due time; setTimeout fires ≤ ~1 ms late, and the
 * ground truth records the actual write times, so that lateness is measured rather than hidden.
 */
import type { EngineSnapshot, ModelEvent, ModelJob, TimedModel } from './engine-model.js';

/** Due events handed to listeners per loop turn; the rest wait for the next turn, after sockets are read. */
const EVENTS_PER_TURN = 64;

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
  /** Due events not yet handed out, in order; `#backlogAt` is the next one. */
  #backlog: ModelEvent[] = [];
  #backlogAt = 0;
  #nextTurn: NodeJS.Immediate | undefined;

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
    clearImmediate(this.#nextTurn);
    this.#timer = undefined;
    this.#listeners.clear();
    this.#backlog = [];
  }

  #pump(): void {
    if (this.#closed) return;
    const events = this.#model.advance(this.#nowMs());
    // advance() returns a fresh array: with nothing left over it becomes the backlog as it is.
    if (this.#backlog.length === 0) this.#backlog = events;
    else for (const event of events) this.#backlog.push(event);
    this.#handOut();
    this.#arm();
  }

  #handOut(): void {
    const end = Math.min(this.#backlogAt + EVENTS_PER_TURN, this.#backlog.length);
    while (this.#backlogAt < end) {
      const event = this.#backlog[this.#backlogAt++]!;
      const listener = this.#listeners.get(event.jobId);
      if (!listener) continue; // cancelled while it waited
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
    if (this.#backlogAt < this.#backlog.length) {
      // setImmediate runs after the poll phase: requests that arrived meanwhile are read first.
      this.#nextTurn ??= setImmediate(() => {
        this.#nextTurn = undefined;
        if (!this.#closed) this.#handOut();
      });
      return;
    }
    this.#backlog = [];
    this.#backlogAt = 0;
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
