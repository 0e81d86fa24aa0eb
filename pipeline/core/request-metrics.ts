/**
 * Per-request metric formulas (DESIGN §4, engine-apis.md §0.1). Pure: stamps, chunk log and the server's
 * report in; metrics and their sources out. Every engine goes through this one function, so a metric means
 * the same thing whichever engine produced it.
 */
import type { ServerReport } from './engine.js';
import type { ChunkLogEntry, MetricSources, RequestMetrics } from './record.js';

export interface RequestTiming {
  readonly tIntended: number;
  readonly tSend: number;
  readonly tFirstToken?: number;
  readonly tLastToken?: number;
  readonly tDone: number;
  /**
   * False for non-streaming requests: the whole answer arrives at once, so the client clock says nothing
   * about first-token time or token gaps; those come only from server figures (source `derived`).
   */
  readonly streamed: boolean;
  /** Content chunks: offset from tSend and tokens carried. */
  readonly chunks: readonly ChunkLogEntry[] | ChunkSeries;
}

/** A chunk log read in place, whatever holds it (the worker keeps it packed: pool/chunk-log.ts). */
export interface ChunkSeries {
  readonly length: number;
  offsetMs(index: number): number;
  tokens(index: number): number;
}

export interface MetricContext {
  /** Round trip of an idle request to this server (preflight median), subtracted when prefill is derived. */
  readonly networkRttMs: number;
}

export interface ComputedMetrics {
  readonly metrics: RequestMetrics;
  readonly sources: MetricSources;
  /** Per-token gaps (a chunk gap g carrying k tokens gives k gaps of g/k). */
  readonly itlGapsMs: number[];
  /** Raw inter-chunk gaps. */
  readonly iclGapsMs: number[];
}

/**
 * `outputTokens` is the authoritative count (server counter where one exists, else the client's count).
 * `promptTokens` is what the server says it read, else the intended length.
 */
export function computeRequestMetrics(
  timing: RequestTiming,
  report: ServerReport,
  outputTokens: number,
  promptTokens: number,
  context: MetricContext,
): ComputedMetrics {
  const metrics: RequestMetrics = {};
  let itlGaps: number[] = [];
  let iclGaps: number[] = [];
  let clientEvalMs: number | undefined;
  const sources: MetricSources = {};
  const set = (name: keyof RequestMetrics, value: number | undefined, source: MetricSources[keyof MetricSources]) => {
    if (value === undefined || !Number.isFinite(value)) return;
    metrics[name] = value;
    sources[name] = source;
  };

  set('schedule_lag_ms', timing.tSend - timing.tIntended, 'client');
  set('e2e_from_schedule_ms', timing.tDone - timing.tIntended, 'client');
  set('total_duration_ms', timing.tDone - timing.tSend, 'client');
  set('output_tokens', outputTokens, report.outputTokens !== undefined ? 'server' : 'client');
  set('prompt_tokens', promptTokens, report.promptTokens !== undefined ? 'server' : 'client');
  set('server_total_duration_ms', report.serverTotalDurationMs, 'server');
  set('queue_ms', report.queueMs, 'server');
  set('eval_token_rate_engine', report.evalTokenRateEngine, 'server');

  if (timing.streamed) {
    const ttftMs = timing.tFirstToken !== undefined ? timing.tFirstToken - timing.tSend : undefined;
    set('ttft_ms', ttftMs, 'client');
    const chunks = seriesOf(timing.chunks);
    const { itlGapsMs, iclGapsMs } = gapsOf(chunks);
    itlGaps = itlGapsMs;
    iclGaps = iclGapsMs;
    if (chunks.length > 0) {
      let chunkTokens = 0;
      for (let i = 0; i < chunks.length; i++) chunkTokens += chunks.tokens(i);
      set('tokens_per_chunk', chunkTokens / chunks.length, 'client');
    }
    if (iclGapsMs.length > 0) set('icl_ms', mean(iclGapsMs), 'client');
    // Decode span on the client clock: first token to last token.
    if (timing.tFirstToken !== undefined && timing.tLastToken !== undefined) {
      clientEvalMs = timing.tLastToken - timing.tFirstToken;
      if (outputTokens >= 2) set('tpot_ms', clientEvalMs / (outputTokens - 1), 'client');
    }
    if (itlGapsMs.length > 0) {
      set('itl_ms', mean(itlGapsMs), 'client');
    } else if (ttftMs !== undefined && outputTokens <= 1) {
      // One token has no gap; ITL is 0 by definition so the metric exists for every successful request.
      set('itl_ms', 0, 'derived');
    }
  }

  if (report.loadDurationMs !== undefined) set('load_duration_ms', report.loadDurationMs, 'server');
  else set('load_duration_ms', 0, 'resident');

  if (report.promptEvalDurationMs !== undefined) {
    set('prompt_eval_duration_ms', report.promptEvalDurationMs, 'server');
  } else if (metrics.ttft_ms !== undefined) {
    const ttftMs = metrics.ttft_ms;
    // Derived: client TTFT minus the server's queue time (when reported) and one network round trip. When
    // the subtraction would leave nothing (an RTT estimate above this request's overhead), fall back to the
    // larger remainder rather than report a zero prefill and an infinite prompt rate.
    const candidates = [ttftMs - (report.queueMs ?? 0) - context.networkRttMs, ttftMs - (report.queueMs ?? 0), ttftMs];
    const derived = candidates.find((value) => value > 0);
    if (derived !== undefined) set('prompt_eval_duration_ms', derived, 'derived');
  }

  const computedPromptTokens = report.promptTokensComputed ?? promptTokens;
  if (report.promptTokenRateEngine !== undefined) {
    set('prompt_token_rate', report.promptTokenRateEngine, 'server');
  } else if (metrics.prompt_eval_duration_ms !== undefined && metrics.prompt_eval_duration_ms > 0) {
    set('prompt_token_rate', computedPromptTokens / (metrics.prompt_eval_duration_ms / 1000), 'derived');
  }

  if (report.evalDurationMs !== undefined) set('eval_duration_ms', report.evalDurationMs, 'server');
  else if (clientEvalMs !== undefined) set('eval_duration_ms', clientEvalMs, 'client');

  if (!timing.streamed) deriveFromServer(metrics, sources, report, outputTokens);

  const evalMs = metrics.eval_duration_ms;
  if (evalMs !== undefined && evalMs > 0 && outputTokens >= 2) {
    set('eval_token_rate', (outputTokens - 1) / (evalMs / 1000), 'derived');
  } else if (outputTokens === 1 && evalMs !== undefined) {
    // A single token has no decode interval: the rate is undefined, reported as 0 with source derived.
    set('eval_token_rate', 0, 'derived');
  }

  return { metrics, sources, itlGapsMs: itlGaps, iclGapsMs: iclGaps };
}

/**
 * Non-streaming: first-token time ≈ load + queue + prefill and ITL ≈ decode / (N − 1), from the server's
 * own figures when it reports them (source `derived`); absent otherwise rather than invented.
 */
function deriveFromServer(metrics: RequestMetrics, sources: MetricSources, report: ServerReport, outputTokens: number): void {
  if (report.promptEvalDurationMs !== undefined) {
    metrics.ttft_ms = (report.loadDurationMs ?? 0) + (report.queueMs ?? 0) + report.promptEvalDurationMs;
    sources.ttft_ms = 'derived';
  }
  if (report.evalDurationMs !== undefined && outputTokens >= 2) {
    metrics.itl_ms = report.evalDurationMs / (outputTokens - 1);
    sources.itl_ms = 'derived';
    metrics.tpot_ms = metrics.itl_ms;
    sources.tpot_ms = 'derived';
  }
}

/** Per-token and per-chunk gaps from the chunk log. The first chunk has no gap before it. */
export function gapsOf(log: readonly ChunkLogEntry[] | ChunkSeries): { itlGapsMs: number[]; iclGapsMs: number[] } {
  const chunks = seriesOf(log);
  const itlGapsMs: number[] = [];
  const iclGapsMs: number[] = [];
  let previous: number | undefined;
  for (let index = 0; index < chunks.length; index++) {
    const offsetMs = chunks.offsetMs(index);
    const tokens = chunks.tokens(index);
    if (tokens <= 0) continue;
    if (previous !== undefined) {
      const gapMs = offsetMs - previous;
      iclGapsMs.push(gapsafe(gapMs));
      for (let i = 0; i < tokens; i++) itlGapsMs.push(gapsafe(gapMs) / tokens);
    } else if (tokens > 1) {
      // Extra tokens in the first chunk arrived together with the first: gaps of 0.
      for (let i = 1; i < tokens; i++) itlGapsMs.push(0);
    }
    previous = offsetMs;
  }
  return { itlGapsMs, iclGapsMs };
}

function seriesOf(log: readonly ChunkLogEntry[] | ChunkSeries): ChunkSeries {
  if (!Array.isArray(log)) return log as ChunkSeries;
  const entries = log as readonly ChunkLogEntry[];
  return { length: entries.length, offsetMs: (index) => entries[index]![0], tokens: (index) => entries[index]![1] };
}

function gapsafe(gapMs: number): number {
  return gapMs < 0 ? 0 : gapMs;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
