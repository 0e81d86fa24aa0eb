/**
 * The contract between a timing model (batching or fixed latency) and the driver that runs it on real time.
 * A model is pure: it is told the time (`advance(nowMs)`) and answers with the events that happened up to
 * then, each stamped with the model time it happened at. Tests drive it with made-up times; the driver
 * drives it with the system clock and one shared timer.
 */

export interface ModelJob {
  readonly id: number;
  /** Prompt tokens to prefill. */
  readonly promptTokens: number;
  /** Tokens to generate (≥ 1). */
  readonly outputTokens: number;
  /** When the request reached the engine (epoch ms); it is never admitted before this. */
  readonly arrivalMs: number;
  /** Fault: after `afterTokens` tokens the job produces nothing for `ms` (it keeps its slot). */
  readonly stall?: { readonly afterTokens: number; readonly ms: number };
}

export type ModelEvent =
  /** The job left the queue and got a slot (prefill starts). */
  | { readonly kind: 'admitted'; readonly jobId: number; readonly atMs: number; readonly slot: number }
  /** The job produced token number `index` (1-based); `last` when it was the job's final token. */
  | { readonly kind: 'token'; readonly jobId: number; readonly atMs: number; readonly index: number; readonly last: boolean };

export interface SlotState {
  readonly slot: number;
  readonly jobId: number;
  readonly promptTokens: number;
  readonly generated: number;
  readonly outputTokens: number;
}

export interface EngineSnapshot {
  /** Jobs holding a slot (prefilling, decoding or stalled). */
  readonly running: number;
  /** Jobs waiting for a slot (includes an Ollama cold load's waiters). */
  readonly waiting: number;
  readonly slots: number;
  /** KV tokens in use now: prompt + generated of every running job. */
  readonly kvUsedTokens: number;
  readonly kvCapacityTokens: number;
  /** False until the model finished loading (Ollama cold load); true for engines that load at start. */
  readonly loaded: boolean;
  /** Engine steps (forward passes) completed so far. */
  readonly stepsTotal: number;
  /** Completed steps that prefilled some prompt tokens (TGI's method="prefill" batches). */
  readonly prefillStepsTotal: number;
  /** Sum over completed steps of the sequences in the step (for "busy slots per decode"). */
  readonly batchSizeSum: number;
  /** Sequences in the step now running (0 when idle). */
  readonly currentBatchSize: number;
  /** Per-slot occupancy (llama.cpp /slots). */
  readonly slotStates: readonly SlotState[];
}

export interface TimedModel {
  submit(job: ModelJob): void;
  /** Drops a job wherever it is (client went away); its slot frees at once. */
  cancel(jobId: number): void;
  /**
   * Makes the model resident (Ollama: an empty prompt loads it; keep_alive 0 unloads it). Returns when it is
   * (or will be) loaded. Engines that load at start return `nowMs`.
   */
  load(nowMs: number): number;
  /** Forgets the loaded model when nothing runs (the next job pays the cold load again); false when busy. */
  unload(): boolean;
  /** Everything that happened up to `nowMs`, in time order, in a new array the caller may keep. */
  advance(nowMs: number): ModelEvent[];
  /** When the next event is due (model time), or undefined when idle. */
  nextEventMs(): number | undefined;
  snapshot(): EngineSnapshot;
}

/** Lowest-free-first slot numbers, like llama.cpp assigning idle slots. */
export class SlotAllocator {
  #free: number[] = [];
  #next = 0;
  take(): number {
    if (this.#free.length === 0) return this.#next++;
    let best = 0;
    for (let i = 1; i < this.#free.length; i++) if (this.#free[i]! < this.#free[best]!) best = i;
    const [slot] = this.#free.splice(best, 1);
    return slot!;
  }
  release(slot: number): void {
    this.#free.push(slot);
  }
}
