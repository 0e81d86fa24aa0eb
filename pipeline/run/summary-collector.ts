/**
 * Collects what a run summary needs from each finished record, compactly (metric values, not records),
 * and produces the exact summary of DESIGN §4 at the end. One collector per scope: the run and each stage.
 */
import { gapsOf } from '../core/request-metrics.js';
import { REQUEST_METRICS, type ErrorKind, type MetricSource, type RequestMetric, type RequestRecord } from '../core/record.js';
import type { MetricSummaryWithSource, RunSummary } from '../core/run-result.js';
import { percentileSorted, summarize } from '../core/stats.js';
import { Float64Column } from '../core/float64-column.js';
import { ValueCounts } from '../core/value-counts.js';
import { meetsBound } from '../scenario/thresholds.js';

/** A per-request service-level objective used for goodput: the request's metric must satisfy it. */
export interface RequestSlo {
  readonly metric: RequestMetric;
  readonly op: '<' | '<=' | '>' | '>=';
  readonly value: number;
}

/** What one streamed record adds to the pooled gap statistics and the jitter section. */
export interface StreamGaps {
  readonly itlGapsMs: readonly number[];
  readonly iclGapsMs: readonly number[];
  /** Coefficient of variation of this request's per-token gaps; absent with fewer than two chunk gaps. */
  readonly itlCv?: number;
  /** Chunk gaps longer than three times this request's median chunk gap. */
  readonly stalls: number;
}

export function streamGapsOf(record: RequestRecord): StreamGaps {
  const { itlGapsMs, iclGapsMs } = gapsOf(record.chunks);
  if (iclGapsMs.length < 2) return { itlGapsMs, iclGapsMs, stalls: 0 };
  // One pass for the CV of this request's per-token gaps; the median needs a sort, of the (few) chunk gaps only.
  let sum = 0;
  let sumSquares = 0;
  for (const gap of itlGapsMs) {
    sum += gap;
    sumSquares += gap * gap;
  }
  const meanGapMs = sum / itlGapsMs.length;
  const itlCv = meanGapMs > 0 ? Math.sqrt(Math.max(sumSquares / itlGapsMs.length - meanGapMs * meanGapMs, 0)) / meanGapMs : undefined;
  let stalls = 0;
  const medianGapMs = percentileSorted(Float64Array.from(iclGapsMs).sort(), 0.5);
  if (medianGapMs > 0) for (const gap of iclGapsMs) if (gap > 3 * medianGapMs) stalls++;
  return itlCv === undefined ? { itlGapsMs, iclGapsMs, stalls } : { itlGapsMs, iclGapsMs, itlCv, stalls };
}

type PooledMetric = 'itl_pooled_ms' | 'icl_pooled_ms';

export class SummaryCollector {
  /** One value per successful request, off the JS heap (core/float64-column.ts). */
  readonly #values = new Map<RequestMetric, Float64Column>();
  /** One value per token gap, counted by value so a long run's memory stays bounded (core/value-counts.ts). */
  readonly #pooled = new Map<PooledMetric, ValueCounts>();
  readonly #sources = new Map<RequestMetric, Partial<Record<MetricSource, number>>>();
  readonly #errorsByKind: Partial<Record<ErrorKind, number>> = {};
  #ok = 0;
  #error = 0;
  #dropped = 0;
  #good = 0;
  #outputTokens = 0;
  #promptTokens = 0;
  #firstSendMs = Number.POSITIVE_INFINITY;
  #lastDoneMs = Number.NEGATIVE_INFINITY;
  #itlCvSum = 0;
  #itlCvCount = 0;
  #stalls = 0;

  constructor(private readonly slos: readonly RequestSlo[] = []) {}

  add(record: RequestRecord): void {
    const startMs = record.t_send ?? record.t_intended;
    if (startMs < this.#firstSendMs) this.#firstSendMs = startMs;
    const endMs = record.t_done ?? startMs;
    if (endMs > this.#lastDoneMs) this.#lastDoneMs = endMs;

    if (record.status === 'dropped') {
      this.#dropped++;
      this.#errorsByKind.dropped = (this.#errorsByKind.dropped ?? 0) + 1;
      return;
    }
    if (record.status === 'error') {
      this.#error++;
      const kind = record.error_kind ?? 'protocol';
      this.#errorsByKind[kind] = (this.#errorsByKind[kind] ?? 0) + 1;
      return;
    }
    this.#ok++;
    this.#outputTokens += record.output_tokens ?? 0;
    this.#promptTokens += record.prompt_tokens ?? 0;
    for (const name of REQUEST_METRICS) {
      const value = record.metrics[name];
      if (value === undefined) continue;
      this.#push(name, value);
      const source = record.sources[name];
      if (source) {
        const counts = this.#sources.get(name) ?? {};
        counts[source] = (counts[source] ?? 0) + 1;
        this.#sources.set(name, counts);
      }
    }
    if (this.slos.every((slo) => meets(record.metrics[slo.metric], slo))) this.#good++;
    if (record.stream) this.#addGaps(streamGapsOf(record));
  }

  #addGaps(gaps: StreamGaps): void {
    const itl = this.#pooledCounts('itl_pooled_ms');
    for (const gap of gaps.itlGapsMs) itl.add(toChunkLogResolution(gap));
    const icl = this.#pooledCounts('icl_pooled_ms');
    for (const gap of gaps.iclGapsMs) icl.add(toChunkLogResolution(gap));
    if (gaps.itlCv !== undefined) {
      this.#itlCvSum += gaps.itlCv;
      this.#itlCvCount++;
    }
    this.#stalls += gaps.stalls;
  }

  #pooledCounts(name: PooledMetric): ValueCounts {
    let counts = this.#pooled.get(name);
    if (!counts) this.#pooled.set(name, (counts = new ValueCounts()));
    return counts;
  }

  #push(name: RequestMetric, value: number): void {
    let column = this.#values.get(name);
    if (!column) this.#values.set(name, (column = new Float64Column()));
    column.push(value);
  }

  get total(): number {
    return this.#ok + this.#error + this.#dropped;
  }

  /**
   * One collector holding everything `parts` hold, as if each of their records had been added to it: the run's
   * summary from its stages'. A run keeps only its stage collectors, so each metric value is held once, not
   * twice; at 30 000 requests of 32 tokens the two copies were 24 MiB of heap (840 B per request).
   */
  static merge(parts: Iterable<SummaryCollector>, slos: readonly RequestSlo[] = []): SummaryCollector {
    const list = [...parts];
    // One stage (most runs): its collector already is the run's, and copying it would double the memory.
    if (list.length === 1) return list[0]!;
    const merged = new SummaryCollector(slos);
    for (const part of list) {
      for (const [name, values] of part.#values) {
        let into = merged.#values.get(name);
        if (!into) merged.#values.set(name, (into = new Float64Column()));
        for (const value of values.view()) into.push(value);
      }
      for (const [name, counts] of part.#pooled) merged.#pooledCounts(name).addAll(counts);
      for (const [name, counts] of part.#sources) {
        const into = merged.#sources.get(name) ?? {};
        for (const [source, count] of Object.entries(counts) as Array<[MetricSource, number]>) into[source] = (into[source] ?? 0) + count;
        merged.#sources.set(name, into);
      }
      for (const [kind, count] of Object.entries(part.#errorsByKind) as Array<[ErrorKind, number]>) {
        merged.#errorsByKind[kind] = (merged.#errorsByKind[kind] ?? 0) + count;
      }
      merged.#ok += part.#ok;
      merged.#error += part.#error;
      merged.#dropped += part.#dropped;
      merged.#good += part.#good;
      merged.#outputTokens += part.#outputTokens;
      merged.#promptTokens += part.#promptTokens;
      merged.#firstSendMs = Math.min(merged.#firstSendMs, part.#firstSendMs);
      merged.#lastDoneMs = Math.max(merged.#lastDoneMs, part.#lastDoneMs);
      merged.#itlCvSum += part.#itlCvSum;
      merged.#itlCvCount += part.#itlCvCount;
      merged.#stalls += part.#stalls;
    }
    return merged;
  }

  summary(): RunSummary {
    const durationMs = Number.isFinite(this.#firstSendMs) ? Math.max(this.#lastDoneMs - this.#firstSendMs, 0) : 0;
    const seconds = durationMs / 1000;
    const perSecond = (count: number) => (seconds > 0 ? count / seconds : 0);
    const metrics: RunSummary['metrics'] = {};
    for (const [name, values] of this.#values) {
      const stats = summarize(values.view());
      if (!stats) continue;
      const sources = this.#sources.get(name as RequestMetric);
      const entry: MetricSummaryWithSource = sources ? { ...stats, sources } : stats;
      metrics[name] = entry;
    }
    for (const [name, counts] of this.#pooled) {
      const stats = counts.summary();
      if (stats) metrics[name] = stats;
    }
    const total = this.total;
    return {
      duration_ms: durationMs,
      requests: { total, ok: this.#ok, error: this.#error, dropped: this.#dropped },
      throughput: {
        rps: perSecond(this.#ok),
        output_tps: perSecond(this.#outputTokens),
        total_tps: perSecond(this.#outputTokens + this.#promptTokens),
        goodput_rps: perSecond(this.#good),
      },
      error_rate: total > 0 ? (this.#error + this.#dropped) / total : 0,
      errors_by_kind: { ...this.#errorsByKind },
      metrics,
      jitter: {
        itl_cv_mean: this.#itlCvCount > 0 ? this.#itlCvSum / this.#itlCvCount : null,
        stall_count: this.#stalls,
      },
    };
  }
}

/**
 * A gap as the chunk log can tell it: offsets are stamped to the µs, so a gap is a whole number of µs and a
 * per-token gap that number over the chunk's tokens. Rounding to the ns drops only the float noise of the
 * subtraction (50.122000000000004), which would otherwise make equal gaps distinct values.
 */
function toChunkLogResolution(gapMs: number): number {
  return Math.round(gapMs * 1e6) / 1e6;
}

function meets(value: number | undefined, slo: RequestSlo): boolean {
  return value !== undefined && meetsBound(value, slo.op, slo.value);
}
