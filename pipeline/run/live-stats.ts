/**
 * Live view of a running run for the progress display: rates and TTFT percentiles over a sliding window.
 * Approximate by design (a window, not the whole run); stored summaries come from SummaryCollector.
 */
import type { ErrorKind, RequestRecord } from '../core/record.js';
import { percentileSorted } from '../core/stats.js';

export interface LiveSnapshot {
  readonly completed: number;
  readonly ok: number;
  readonly errors: number;
  readonly dropped: number;
  readonly rps: number;
  readonly outputTps: number;
  readonly ttftP50Ms: number | null;
  readonly ttftP95Ms: number | null;
  readonly errorsByKind: Partial<Record<ErrorKind, number>>;
}

interface Recent {
  readonly doneMs: number;
  readonly ok: boolean;
  readonly outputTokens: number;
  readonly ttftMs: number | undefined;
}

export class LiveStats {
  #recent: Recent[] = [];
  #completed = 0;
  #ok = 0;
  #errors = 0;
  #dropped = 0;
  readonly #errorsByKind: Partial<Record<ErrorKind, number>> = {};

  constructor(private readonly windowMs = 10_000) {}

  add(records: readonly RequestRecord[]): void {
    for (const record of records) {
      this.#completed++;
      if (record.status === 'ok') this.#ok++;
      else if (record.status === 'dropped') this.#dropped++;
      else this.#errors++;
      if (record.status !== 'ok') {
        const kind = record.error_kind ?? 'protocol';
        this.#errorsByKind[kind] = (this.#errorsByKind[kind] ?? 0) + 1;
      }
      this.#recent.push({
        doneMs: record.t_done ?? record.t_intended,
        ok: record.status === 'ok',
        outputTokens: record.output_tokens ?? 0,
        ttftMs: record.metrics.ttft_ms,
      });
    }
  }

  snapshot(nowMs: number, elapsedMs: number): LiveSnapshot {
    const fromMs = nowMs - this.windowMs;
    this.#recent = this.#recent.filter((entry) => entry.doneMs >= fromMs);
    const spanS = Math.max(Math.min(this.windowMs, elapsedMs), 1) / 1000;
    let okCount = 0;
    let tokens = 0;
    const ttfts: number[] = [];
    for (const entry of this.#recent) {
      if (!entry.ok) continue;
      okCount++;
      tokens += entry.outputTokens;
      if (entry.ttftMs !== undefined) ttfts.push(entry.ttftMs);
    }
    ttfts.sort((a, b) => a - b);
    return {
      completed: this.#completed,
      ok: this.#ok,
      errors: this.#errors,
      dropped: this.#dropped,
      rps: okCount / spanS,
      outputTps: tokens / spanS,
      ttftP50Ms: ttfts.length ? percentileSorted(ttfts, 0.5) : null,
      ttftP95Ms: ttfts.length ? percentileSorted(ttfts, 0.95) : null,
      errorsByKind: { ...this.#errorsByKind },
    };
  }
}
