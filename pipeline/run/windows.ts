/**
 * `llm_window` (DESIGN §6): 1 s aggregates per stage, computed from finished records, in this one place. A window
 * [k·W, (k+1)·W) is stamped at its end and holds:
 * - rps, errors, dropped: requests that completed (ok / error / dropped) inside it,
 * - ttft_p50_ms, ttft_p95_ms, itl_p50_ms, itl_p95_ms: over the ok requests that completed inside it,
 * - schedule_lag_p95_ms: over the requests sent inside it,
 * - output_tps: output tokens that arrived inside it (chunk log times; a non-streamed answer counts at t_done),
 * - in_flight: requests sent but not finished at the window's end.
 *
 * Accumulation is order-independent. A window is handed out once, when final: `takeFinal(watermarkMs)` returns
 * the windows that end before the watermark, the time before which no record still to come can fall (the
 * coordinator's window-stage.ts keeps it). A window once handed out is forgotten, so memory holds only the
 * windows still open; a record that would still change one is counted as late instead (0 when the watermark
 * holds), so no window is ever written twice with different values.
 */
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunIdentity } from '../core/sink.js';
import { percentileSorted } from '../core/stats.js';

export const WINDOW_MS = 1000;

/** Guards against a corrupt record (t_send years before t_done) turning into millions of windows. */
const MAX_WINDOWS_PER_REQUEST = 24 * 3600;

interface Window {
  ok: number;
  errors: number;
  dropped: number;
  outputTokens: number;
  inFlight: number;
  ttftsMs: number[];
  itlsMs: number[];
  lagsMs: number[];
}

interface StageWindows {
  readonly tags: Readonly<Record<string, string>>;
  readonly windows: Map<number, Window>;
  /** Lowest and highest index touched; windows between them are handed out, empty ones as zeros. */
  first: number;
  last: number;
  /** Windows up to this index have been handed out. */
  emittedThrough: number;
}

export class WindowAccumulator {
  readonly #stages = new Map<string, StageWindows>();
  #late = 0;
  #emitted = 0;

  constructor(
    private readonly run: Pick<RunIdentity, 'runId' | 'engine' | 'model' | 'agent'>,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** Records that arrived after a window they belong to was handed out. */
  get lateRecords(): number {
    return this.#late;
  }

  /** Windows handed out so far. */
  get emitted(): number {
    return this.#emitted;
  }

  add(record: RequestRecord): void {
    const stage = this.#stageOf(record);
    let late = false;
    const at = (timeMs: number): Window | undefined => {
      const k = Math.floor(timeMs / this.windowMs);
      if (k <= stage.emittedThrough) {
        late = true;
        return undefined;
      }
      return this.#window(stage, k);
    };

    const done = completionMs(record);
    const end = at(done);
    if (end) {
      if (record.status === 'ok') {
        end.ok++;
        if (record.metrics.ttft_ms !== undefined) end.ttftsMs.push(record.metrics.ttft_ms);
        if (record.metrics.itl_ms !== undefined) end.itlsMs.push(record.metrics.itl_ms);
      } else if (record.status === 'error') {
        end.errors++;
      } else {
        end.dropped++;
      }
    }
    if (record.t_send !== undefined) {
      const sent = at(record.t_send);
      if (sent) sent.lagsMs.push(record.t_send - record.t_intended);
    }

    let chunkTokens = 0;
    if (record.t_send !== undefined) {
      for (const [offsetMs, tokens] of record.chunks) {
        if (tokens <= 0) continue;
        chunkTokens += tokens;
        const window = at(record.t_send + offsetMs);
        if (window) window.outputTokens += tokens;
      }
    }
    // Tokens the chunk log did not account for (non-streamed answers, a server count above the client's).
    const outputTokens = record.output_tokens ?? record.metrics.output_tokens ?? 0;
    if (outputTokens > chunkTokens && end) end.outputTokens += outputTokens - chunkTokens;

    if (record.t_send !== undefined && done > record.t_send) {
      // Windows whose end E satisfies t_send <= E < done.
      const first = Math.ceil(record.t_send / this.windowMs) - 1;
      const last = Math.min(Math.ceil(done / this.windowMs) - 2, first + MAX_WINDOWS_PER_REQUEST);
      for (let k = first; k <= last; k++) {
        if (k <= stage.emittedThrough) late = true;
        else this.#window(stage, k).inFlight++;
      }
    }
    if (late) this.#late++;
  }

  /** The windows that end before `watermarkMs`, each once, oldest first; empty ones inside a stage's span as zeros. */
  takeFinal(watermarkMs: number): Point[] {
    // Window k ends at (k + 1)·W; it is final when its end lies before the watermark.
    return this.#take((k) => (k + 1) * this.windowMs < watermarkMs);
  }

  /** Every window not yet handed out (the run is over: nothing more can arrive). */
  takeAll(): Point[] {
    return this.#take(() => true);
  }

  #take(final: (k: number) => boolean): Point[] {
    const points: Point[] = [];
    for (const stage of this.#stages.values()) {
      for (let k = Math.max(stage.emittedThrough + 1, stage.first); k <= stage.last && final(k); k++) {
        points.push(this.#point(stage, k, stage.windows.get(k) ?? emptyWindow()));
        stage.windows.delete(k);
        stage.emittedThrough = k;
      }
    }
    this.#emitted += points.length;
    return points.sort((a, b) => a.time_ms - b.time_ms);
  }

  #stageOf(record: RequestRecord): StageWindows {
    const engine = record.engine || this.run.engine;
    const model = record.model || this.run.model;
    const key = `${engine}\u0000${model}\u0000${record.stage}`;
    let stage = this.#stages.get(key);
    if (!stage) {
      stage = {
        // A segment's windows are its agent's share (a merged run recomputes the whole run's, untagged).
        tags: { run_id: this.run.runId, engine, model, stage: record.stage, ...(this.run.agent ? { agent: this.run.agent } : {}) },
        windows: new Map(),
        first: Number.POSITIVE_INFINITY,
        last: Number.NEGATIVE_INFINITY,
        emittedThrough: Number.NEGATIVE_INFINITY,
      };
      this.#stages.set(key, stage);
    }
    return stage;
  }

  #window(stage: StageWindows, k: number): Window {
    let window = stage.windows.get(k);
    if (!window) {
      window = emptyWindow();
      stage.windows.set(k, window);
      if (k < stage.first) stage.first = k;
      if (k > stage.last) stage.last = k;
    }
    return window;
  }

  #point(stage: StageWindows, k: number, window: Window): Point {
    const seconds = this.windowMs / 1000;
    const fields: Record<string, number> = {
      rps: window.ok / seconds,
      output_tps: window.outputTokens / seconds,
      in_flight: window.inFlight,
      errors: window.errors,
      dropped: window.dropped,
    };
    addPercentiles(fields, 'ttft', window.ttftsMs);
    addPercentiles(fields, 'itl', window.itlsMs);
    if (window.lagsMs.length > 0) fields.schedule_lag_p95_ms = percentileSorted(window.lagsMs.sort((a, b) => a - b), 0.95);
    return { measurement: 'llm_window', tags: stage.tags, fields, time_ms: (k + 1) * this.windowMs };
  }
}

/** Pure: the final windows of a set of records. */
export function windowPoints(records: Iterable<RequestRecord>, run: Pick<RunIdentity, 'runId' | 'engine' | 'model' | 'agent'>, windowMs = WINDOW_MS): Point[] {
  const accumulator = new WindowAccumulator(run, windowMs);
  for (const record of records) accumulator.add(record);
  return accumulator.takeAll();
}

/** When a request left the system: its end, or for a dropped arrival the moment it was due. */
export function completionMs(record: RequestRecord): number {
  return record.t_done ?? record.t_last_token ?? record.t_send ?? record.t_intended;
}

function addPercentiles(fields: Record<string, number>, name: string, values: number[]): void {
  if (values.length === 0) return;
  const sorted = values.sort((a, b) => a - b);
  fields[`${name}_p50_ms`] = percentileSorted(sorted, 0.5);
  fields[`${name}_p95_ms`] = percentileSorted(sorted, 0.95);
}

function emptyWindow(): Window {
  return { ok: 0, errors: 0, dropped: 0, outputTokens: 0, inFlight: 0, ttftsMs: [], itlsMs: [], lagsMs: [] };
}
