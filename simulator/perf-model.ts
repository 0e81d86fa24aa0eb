/**
 * Continuous batching, as vLLM/TGI/SGLang/llama.cpp do it, reduced to its timing.
 *
 * The engine runs steps back to back while it has work. At the start of a step it admits waiting jobs
 * (FIFO) while a slot and KV room for prompt + output tokens are free; the step then decodes one token for
 * every running job whose prompt is done, and prefills up to `maxBatchedTokens − decodes` prompt tokens of
 * the jobs still prefilling (chunked prefill: a long prompt spans several steps). Its duration is
 *
 *   (decodeStepBaseMs + decodeMsPerSequence × sequences in the step + prefillMsPerToken × prefill tokens) × jitter
 *
 * so each decode step grows with the batch, and a new arrival's prefill slows everyone's next token, as on a
 * real engine. A job whose prefill completes in a step gets its first token at the step's end. Jitter is a
 * seeded uniform factor in [1 − j, 1 + j] per step. With `coldLoadMs` (Ollama) nothing runs until the model has
 * loaded, counted from the first job's arrival. Pure: time comes in through `advance(nowMs)`.
 */
import { SlotAllocator, type EngineSnapshot, type ModelEvent, type ModelJob, type SlotState, type TimedModel } from './engine-model.js';
import type { PerfModel } from './options.js';
import type { Random } from './random.js';

interface Running {
  readonly job: ModelJob;
  readonly slot: number;
  prefillRemaining: number;
  generated: number;
  pausedUntilMs: number;
  stalled: boolean;
  cancelled: boolean;
}

interface Step {
  readonly startMs: number;
  readonly endMs: number;
  readonly decode: readonly Running[];
  readonly prefill: ReadonlyArray<readonly [Running, number]>;
}

export type BatchModelKnobs = Pick<
  PerfModel,
  'slots' | 'prefillMsPerToken' | 'decodeStepBaseMs' | 'decodeMsPerSequence' | 'maxBatchedTokens' | 'kvCacheTokens' | 'jitterFraction' | 'coldLoadMs'
>;

export class BatchModel implements TimedModel {
  readonly #knobs: BatchModelKnobs;
  readonly #random: Random;
  #queue: ModelJob[] = [];
  #queueHead = 0;
  #running: Running[] = [];
  #step: Step | undefined;
  /** End of the last completed step: the next step cannot start before it. */
  #freeAtMs = Number.NEGATIVE_INFINITY;
  /** When the model is loaded; undefined until the first job asks for it (cold load). */
  #loadedAtMs: number | undefined;
  #lastNowMs = Number.NEGATIVE_INFINITY;
  #kvReservedTokens = 0;
  readonly #slots = new SlotAllocator();
  #stepsTotal = 0;
  #prefillStepsTotal = 0;
  #batchSizeSum = 0;

  constructor(knobs: BatchModelKnobs, random: Random) {
    this.#knobs = knobs;
    this.#random = random;
    if (knobs.coldLoadMs === 0) this.#loadedAtMs = Number.NEGATIVE_INFINITY;
  }

  submit(job: ModelJob): void {
    if (this.#loadedAtMs === undefined) this.#loadedAtMs = job.arrivalMs + this.#knobs.coldLoadMs;
    this.#queue.push(job);
  }

  cancel(jobId: number): void {
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      if (this.#queue[i]!.id === jobId) {
        this.#queue.splice(i, 1);
        return;
      }
    }
    const index = this.#running.findIndex((r) => r.job.id === jobId);
    if (index >= 0) this.#release(index);
  }

  load(nowMs: number): number {
    this.#lastNowMs = Math.max(this.#lastNowMs, nowMs);
    if (this.#loadedAtMs === undefined) this.#loadedAtMs = nowMs + this.#knobs.coldLoadMs;
    return Math.max(nowMs, this.#loadedAtMs);
  }

  unload(): boolean {
    if (this.#knobs.coldLoadMs === 0) return true;
    if (this.#running.length > 0 || this.#queue.length > this.#queueHead) return false;
    this.#loadedAtMs = undefined;
    return true;
  }

  advance(nowMs: number): ModelEvent[] {
    this.#lastNowMs = Math.max(this.#lastNowMs, nowMs);
    const events: ModelEvent[] = [];
    for (;;) {
      if (this.#step) {
        if (this.#step.endMs > nowMs) break;
        this.#completeStep(this.#step, events);
        continue;
      }
      const startMs = this.#nextStartMs();
      if (startMs === undefined || startMs > nowMs) break;
      this.#startStep(startMs, events);
    }
    return events;
  }

  nextEventMs(): number | undefined {
    return this.#step ? this.#step.endMs : this.#nextStartMs();
  }

  snapshot(): EngineSnapshot {
    let kvUsedTokens = 0;
    const slotStates: SlotState[] = [];
    for (const r of this.#running) {
      kvUsedTokens += r.job.promptTokens + r.generated;
      slotStates.push({ slot: r.slot, jobId: r.job.id, promptTokens: r.job.promptTokens, generated: r.generated, outputTokens: r.job.outputTokens });
    }
    return {
      running: this.#running.length,
      waiting: this.#queue.length - this.#queueHead,
      slots: this.#knobs.slots,
      kvUsedTokens,
      kvCapacityTokens: this.#knobs.kvCacheTokens,
      loaded: this.#loadedAtMs !== undefined && this.#loadedAtMs <= this.#lastNowMs,
      stepsTotal: this.#stepsTotal,
      prefillStepsTotal: this.#prefillStepsTotal,
      batchSizeSum: this.#batchSizeSum,
      currentBatchSize: this.#step ? this.#step.decode.length + this.#step.prefill.length : 0,
      slotStates,
    };
  }

  /** When the next step can start: the engine is free, the model loaded, and some work is runnable. */
  #nextStartMs(): number | undefined {
    if (this.#loadedAtMs === undefined) return undefined;
    let workMs = Number.POSITIVE_INFINITY;
    for (const r of this.#running) workMs = Math.min(workMs, r.pausedUntilMs);
    const head = this.#queue[this.#queueHead];
    if (head && this.#canAdmit(head)) workMs = Math.min(workMs, head.arrivalMs);
    if (workMs === Number.POSITIVE_INFINITY) return undefined;
    return Math.max(workMs, this.#freeAtMs, this.#loadedAtMs);
  }

  #canAdmit(job: ModelJob): boolean {
    return this.#running.length < this.#knobs.slots && this.#kvReservedTokens + job.promptTokens + job.outputTokens <= this.#knobs.kvCacheTokens;
  }

  #startStep(startMs: number, events: ModelEvent[]): void {
    // Admit in arrival order; the head blocks the rest (first come, first served).
    for (;;) {
      const head = this.#queue[this.#queueHead];
      if (!head || head.arrivalMs > startMs || !this.#canAdmit(head)) break;
      this.#queueHead++;
      const slot = this.#slots.take();
      this.#kvReservedTokens += head.promptTokens + head.outputTokens;
      // Even an empty prompt needs one forward pass (BOS) before the first token can be sampled.
      this.#running.push({ job: head, slot, prefillRemaining: Math.max(1, head.promptTokens), generated: 0, pausedUntilMs: Number.NEGATIVE_INFINITY, stalled: false, cancelled: false });
      events.push({ kind: 'admitted', jobId: head.id, atMs: startMs, slot });
    }
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }

    const decode: Running[] = [];
    const prefill: Array<[Running, number]> = [];
    for (const r of this.#running) if (r.prefillRemaining === 0 && r.pausedUntilMs <= startMs) decode.push(r);
    let budget = this.#knobs.maxBatchedTokens - decode.length;
    let prefillTokens = 0;
    for (const r of this.#running) {
      if (r.prefillRemaining === 0 || budget <= 0) continue;
      const take = Math.min(r.prefillRemaining, budget);
      prefill.push([r, take]);
      budget -= take;
      prefillTokens += take;
    }
    if (decode.length === 0 && prefill.length === 0) {
      // Every running job is stalled: idle until the first one resumes (nextStartMs says when).
      this.#freeAtMs = startMs;
      return;
    }
    const sequences = decode.length + prefill.length;
    const baseMs = this.#knobs.decodeStepBaseMs + this.#knobs.decodeMsPerSequence * sequences + this.#knobs.prefillMsPerToken * prefillTokens;
    const jitter = 1 + this.#knobs.jitterFraction * (2 * this.#random() - 1);
    this.#step = { startMs, endMs: startMs + baseMs * jitter, decode, prefill };
  }

  #completeStep(step: Step, events: ModelEvent[]): void {
    this.#step = undefined;
    this.#freeAtMs = step.endMs;
    this.#stepsTotal++;
    if (step.prefill.length > 0) this.#prefillStepsTotal++;
    this.#batchSizeSum += step.decode.length + step.prefill.length;
    const emitted: Running[] = [];
    for (const r of step.decode) {
      if (r.cancelled) continue;
      r.generated++;
      emitted.push(r);
    }
    for (const [r, take] of step.prefill) {
      if (r.cancelled) continue;
      r.prefillRemaining -= take;
      if (r.prefillRemaining === 0) {
        r.generated = 1;
        emitted.push(r);
      }
    }
    for (const r of emitted) {
      const last = r.generated >= r.job.outputTokens;
      events.push({ kind: 'token', jobId: r.job.id, atMs: step.endMs, index: r.generated, last });
      if (last) {
        this.#release(this.#running.indexOf(r));
      } else if (r.job.stall && !r.stalled && r.generated === r.job.stall.afterTokens) {
        r.stalled = true;
        r.pausedUntilMs = step.endMs + r.job.stall.ms;
      }
    }
  }

  #release(index: number): void {
    const [r] = this.#running.splice(index, 1);
    if (!r) return;
    r.cancelled = true;
    this.#slots.release(r.slot);
    this.#kvReservedTokens -= r.job.promptTokens + r.job.outputTokens;
  }
}
