/**
 * `llm_window`: 1 s aggregates per stage, computed from finished records only, so the live sink and
 * `llmbench push` produce the same windows. A window [k·W, (k+1)·W) is stamped at its end and holds:
 * - rps, errors, dropped: requests that completed (ok / error / dropped) inside it,
 * - ttft_p50_ms, ttft_p95_ms: over the ok requests that completed inside it,
 * - output_tps: output tokens that arrived inside it (chunk log times; a non-streamed answer counts at t_done),
 * - in_flight: requests sent but not finished at the window's end.
 * Accumulation is order-independent, so windows can be emitted provisionally while records still arrive and
 * re-emitted at the end with final values: same series and timestamp, so InfluxDB keeps the final ones.
 */
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunInfo } from '../core/sink.js';
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
}

interface StageWindows {
  readonly tags: Readonly<Record<string, string>>;
  readonly windows: Map<number, Window>;
  readonly dirty: Set<number>;
}

export class WindowAccumulator {
  readonly #stages = new Map<string, StageWindows>();

  constructor(
    private readonly run: Pick<RunInfo, 'runId' | 'engine' | 'model'>,
    private readonly windowMs = WINDOW_MS,
  ) {}

  add(record: RequestRecord): void {
    const stage = this.#stageOf(record);
    const done = completionMs(record);
    const end = this.#window(stage, this.#index(done));
    if (record.status === 'ok') {
      end.ok++;
      if (record.metrics.ttft_ms !== undefined) end.ttftsMs.push(record.metrics.ttft_ms);
    } else if (record.status === 'error') {
      end.errors++;
    } else {
      end.dropped++;
    }

    let chunkTokens = 0;
    if (record.t_send !== undefined) {
      for (const [offsetMs, tokens] of record.chunks) {
        if (tokens <= 0) continue;
        this.#window(stage, this.#index(record.t_send + offsetMs)).outputTokens += tokens;
        chunkTokens += tokens;
      }
    }
    // Tokens the chunk log did not account for (non-streamed answers, a server count above the client's).
    const outputTokens = record.output_tokens ?? record.metrics.output_tokens ?? 0;
    if (outputTokens > chunkTokens) end.outputTokens += outputTokens - chunkTokens;

    if (record.t_send !== undefined && done > record.t_send) {
      // Windows whose end E satisfies t_send <= E < done.
      const first = Math.ceil(record.t_send / this.windowMs) - 1;
      const last = Math.min(Math.ceil(done / this.windowMs) - 2, first + MAX_WINDOWS_PER_REQUEST);
      for (let k = first; k <= last; k++) this.#window(stage, k).inFlight++;
    }
  }

  /** Points for the windows changed since the last call; values are provisional until every record is in. */
  takeDirty(): Point[] {
    const points: Point[] = [];
    for (const stage of this.#stages.values()) {
      for (const k of [...stage.dirty].sort((a, b) => a - b)) points.push(this.#point(stage, k, stage.windows.get(k)!));
      stage.dirty.clear();
    }
    return points;
  }

  /** Every window of every stage from its first to its last, empty ones included (a dashboard shows zeros). */
  all(): Point[] {
    const points: Point[] = [];
    for (const stage of this.#stages.values()) {
      stage.dirty.clear();
      const indexes = [...stage.windows.keys()];
      if (indexes.length === 0) continue;
      const from = Math.min(...indexes);
      const to = Math.max(...indexes);
      for (let k = from; k <= to; k++) points.push(this.#point(stage, k, stage.windows.get(k) ?? emptyWindow()));
    }
    return points;
  }

  #stageOf(record: RequestRecord): StageWindows {
    const engine = record.engine || this.run.engine;
    const model = record.model || this.run.model;
    const key = `${engine}\u0000${model}\u0000${record.stage}`;
    let stage = this.#stages.get(key);
    if (!stage) {
      stage = {
        tags: { run_id: this.run.runId, engine, model, stage: record.stage },
        windows: new Map(),
        dirty: new Set(),
      };
      this.#stages.set(key, stage);
    }
    return stage;
  }

  #index(timeMs: number): number {
    return Math.floor(timeMs / this.windowMs);
  }

  #window(stage: StageWindows, k: number): Window {
    let window = stage.windows.get(k);
    if (!window) {
      window = emptyWindow();
      stage.windows.set(k, window);
    }
    stage.dirty.add(k);
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
    if (window.ttftsMs.length > 0) {
      const sorted = [...window.ttftsMs].sort((a, b) => a - b);
      fields.ttft_p50_ms = percentileSorted(sorted, 0.5);
      fields.ttft_p95_ms = percentileSorted(sorted, 0.95);
    }
    return { measurement: 'llm_window', tags: stage.tags, fields, time_ms: (k + 1) * this.windowMs };
  }
}

/** Pure: the final windows of a set of records (what push writes, and what the live sink ends with). */
export function windowPoints(
  records: Iterable<RequestRecord>,
  run: Pick<RunInfo, 'runId' | 'engine' | 'model'>,
  windowMs = WINDOW_MS,
): Point[] {
  const accumulator = new WindowAccumulator(run, windowMs);
  for (const record of records) accumulator.add(record);
  return accumulator.all();
}

/** When a request left the system: its end, or for a dropped arrival the moment it was due. */
export function completionMs(record: RequestRecord): number {
  return record.t_done ?? record.t_last_token ?? record.t_send ?? record.t_intended;
}

function emptyWindow(): Window {
  return { ok: 0, errors: 0, dropped: 0, outputTokens: 0, inFlight: 0, ttftsMs: [] };
}
