/**
 * Counters and histograms behind each dialect's /metrics, updated as requests progress (tokens are counted
 * as they are written, so a scrape mid-run sees live values). Bucket bounds come from the dialect, because
 * each engine has its own; values are in the engine's unit (seconds or tokens).
 */

export class Histogram {
  readonly bounds: readonly number[];
  /** counts[i] = observations ≤ bounds[i] and > bounds[i−1]; the last entry is the +Inf bucket. */
  readonly #counts: number[];
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.#counts[i]!++;
    this.sum += value;
    this.count++;
  }

  /** Cumulative counts per bound, then the +Inf total (Prometheus `_bucket` values). */
  cumulative(): number[] {
    const out: number[] = [];
    let running = 0;
    for (const c of this.#counts) out.push((running += c));
    return out;
  }
}

export type HistogramName =
  | 'ttft_s' // arrival → first token
  | 'itl_s' // gap between consecutive tokens
  | 'e2e_s' // arrival → done
  | 'queue_s' // arrival → admitted
  | 'prefill_s' // admitted → first token
  | 'decode_s' // first → last token
  | 'inference_s' // admitted → done
  | 'tpot_s' // inference time / generated tokens (TGI's mean time per token)
  | 'prompt_tokens'
  | 'generation_tokens'
  | 'max_new_tokens';

export type HistogramBuckets = Partial<Record<HistogramName, readonly number[]>>;

/** One finished request, as the metrics see it (times are epoch ms; undefined = did not happen). */
export interface FinishedRequest {
  readonly ok: boolean;
  readonly finishReason: string | null;
  /** Why it failed, when it did (`error_status`, `disconnect`, `client_closed`, `mid_stream_error`, `overloaded`, …). */
  readonly failure?: string;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly maxTokens: number;
  readonly receivedMs: number;
  readonly admittedMs?: number;
  readonly firstTokenMs?: number;
  readonly lastTokenMs?: number;
  readonly doneMs: number;
}

export class LiveStats {
  readonly histograms: ReadonlyMap<HistogramName, Histogram>;
  requestsTotal = 0;
  promptTokensTotal = 0;
  generationTokensTotal = 0;
  /** Prompt seconds and generation seconds summed over requests (llama.cpp's *_seconds_total). */
  promptSecondsTotal = 0;
  generationSecondsTotal = 0;
  /** Highest prompt + generated tokens seen in one request (llama.cpp n_tokens_max). */
  maxTokensSeen = 0;
  readonly successByReason = new Map<string, number>();
  readonly failuresByKind = new Map<string, number>();
  /** The one histogram fed per token, looked up once. */
  readonly #itl: Histogram | undefined;

  constructor(buckets: HistogramBuckets) {
    const map = new Map<HistogramName, Histogram>();
    for (const [name, bounds] of Object.entries(buckets) as Array<[HistogramName, readonly number[]]>) map.set(name, new Histogram(bounds));
    this.histograms = map;
    this.#itl = map.get('itl_s');
  }

  histogram(name: HistogramName): Histogram | undefined {
    return this.histograms.get(name);
  }

  requestStarted(): void {
    this.requestsTotal++;
  }

  /** The prompt was processed (first token produced). */
  promptDone(promptTokens: number): void {
    this.promptTokensTotal += promptTokens;
  }

  /** A token was produced; `gapMs` since the previous token of the same request (undefined for the first). */
  token(gapMs: number | undefined): void {
    this.generationTokensTotal++;
    if (gapMs !== undefined) this.#itl?.observe(gapMs / 1000);
  }

  finished(request: FinishedRequest): void {
    if (!request.ok) {
      const kind = request.failure ?? 'error';
      this.failuresByKind.set(kind, (this.failuresByKind.get(kind) ?? 0) + 1);
      return;
    }
    const reason = request.finishReason ?? 'stop';
    this.successByReason.set(reason, (this.successByReason.get(reason) ?? 0) + 1);
    const seconds = (fromMs: number | undefined, toMs: number | undefined) =>
      fromMs !== undefined && toMs !== undefined ? Math.max(0, toMs - fromMs) / 1000 : undefined;
    const observe = (name: HistogramName, value: number | undefined) => {
      if (value !== undefined) this.histograms.get(name)?.observe(value);
    };
    const prefillS = seconds(request.admittedMs, request.firstTokenMs);
    const decodeS = seconds(request.firstTokenMs, request.lastTokenMs);
    const inferenceS = seconds(request.admittedMs, request.doneMs);
    observe('ttft_s', seconds(request.receivedMs, request.firstTokenMs));
    observe('e2e_s', seconds(request.receivedMs, request.doneMs));
    observe('queue_s', seconds(request.receivedMs, request.admittedMs));
    observe('prefill_s', prefillS);
    observe('decode_s', decodeS);
    observe('inference_s', inferenceS);
    observe('tpot_s', inferenceS !== undefined && request.outputTokens > 0 ? inferenceS / request.outputTokens : undefined);
    observe('prompt_tokens', request.promptTokens);
    observe('generation_tokens', request.outputTokens);
    observe('max_new_tokens', request.maxTokens);
    this.promptSecondsTotal += prefillS ?? 0;
    this.generationSecondsTotal += decodeS ?? 0;
    this.maxTokensSeen = Math.max(this.maxTokensSeen, request.promptTokens + request.outputTokens);
  }
}
