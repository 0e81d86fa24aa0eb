/**
 * Fixed-latency mode: every job is alone in the world. Token k of a job arriving at A is due at
 *   A + f·ttftMs + (k − 1) × f·itlMs   (+ stallMs for tokens after a stall)
 * on absolute deadlines, so lateness of one write never shifts the next; f is 1, or the slowdown factor for jobs
 * arriving inside the slowdown episode. No slots, no queue, no jitter, no cold load: this mode exists to measure
 * the client's own timing error against known server behaviour, and its analysis against a known change.
 */
import { MinHeap } from './min-heap.js';
import { SlotAllocator, type EngineSnapshot, type ModelEvent, type ModelJob, type SlotState, type TimedModel } from './engine-model.js';
import type { FixedLatency } from './options.js';

interface FixedJob {
  readonly job: ModelJob;
  readonly slot: number;
  generated: number;
}

export class FixedModel implements TimedModel {
  readonly #latency: FixedLatency;
  readonly #heap = new MinHeap<FixedJob>();
  readonly #jobs = new Map<number, FixedJob>();
  readonly #slots = new SlotAllocator();
  #pending: ModelEvent[] = [];

  /** Epoch ms the slowdown episode is counted from. */
  readonly #startedMs: number;

  constructor(latency: FixedLatency, startedMs = 0) {
    this.#latency = latency;
    this.#startedMs = startedMs;
  }

  submit(job: ModelJob): void {
    const entry: FixedJob = { job, slot: this.#slots.take(), generated: 0 };
    this.#jobs.set(job.id, entry);
    this.#pending.push({ kind: 'admitted', jobId: job.id, atMs: job.arrivalMs, slot: entry.slot });
    this.#heap.push(this.#deadlineMs(entry.job, 1), entry);
  }

  cancel(jobId: number): void {
    const entry = this.#jobs.get(jobId);
    if (!entry) return;
    this.#jobs.delete(jobId);
    this.#slots.release(entry.slot);
    // Its heap entry stays and is skipped when popped.
  }

  load(nowMs: number): number {
    return nowMs;
  }

  unload(): boolean {
    return true;
  }

  advance(nowMs: number): ModelEvent[] {
    const events = this.#pending;
    this.#pending = [];
    for (;;) {
      const dueMs = this.#heap.peekKey();
      if (dueMs === undefined || dueMs > nowMs) break;
      const entry = this.#heap.pop()!;
      if (this.#jobs.get(entry.job.id) !== entry) continue;
      entry.generated++;
      const last = entry.generated >= entry.job.outputTokens;
      events.push({ kind: 'token', jobId: entry.job.id, atMs: dueMs, index: entry.generated, last });
      if (last) this.cancel(entry.job.id);
      else this.#heap.push(this.#deadlineMs(entry.job, entry.generated + 1), entry);
    }
    return events;
  }

  nextEventMs(): number | undefined {
    if (this.#pending.length > 0) return this.#pending[0]!.atMs;
    // Skip cancelled entries lazily: a stale deadline only causes one early, empty wake-up.
    return this.#heap.peekKey();
  }

  snapshot(): EngineSnapshot {
    const slotStates: SlotState[] = [];
    let kvUsedTokens = 0;
    for (const entry of this.#jobs.values()) {
      kvUsedTokens += entry.job.promptTokens + entry.generated;
      slotStates.push({ slot: entry.slot, jobId: entry.job.id, promptTokens: entry.job.promptTokens, generated: entry.generated, outputTokens: entry.job.outputTokens });
    }
    return {
      running: this.#jobs.size,
      waiting: 0,
      slots: Math.max(1, this.#jobs.size),
      kvUsedTokens,
      kvCapacityTokens: Math.max(1, kvUsedTokens),
      loaded: true,
      stepsTotal: 0,
      prefillStepsTotal: 0,
      batchSizeSum: 0,
      currentBatchSize: this.#jobs.size,
      slotStates,
    };
  }

  #deadlineMs(job: ModelJob, index: number): number {
    const stallMs = job.stall && index > job.stall.afterTokens ? job.stall.ms : 0;
    const slowdown = this.#latency.slowdown;
    const sinceStartMs = job.arrivalMs - this.#startedMs;
    const factor = slowdown && sinceStartMs >= slowdown.afterMs && sinceStartMs < slowdown.afterMs + slowdown.forMs ? slowdown.factor : 1;
    return job.arrivalMs + factor * (this.#latency.ttftMs + (index - 1) * this.#latency.itlMs) + stallMs;
  }
}
