/**
 * Simulator options: what a caller may set, the per-engine defaults, and validation (every problem reported
 * at once, each naming its option). The defaults give each engine a plausible personality: vLLM/SGLang a
 * big GPU batch, TGI a smaller one with an overload limit, llama.cpp and Ollama a few CPU-ish slots.
 */
import { ENGINE_KINDS, type EngineKind } from '../pipeline/core/engine.js';
import { UsageError } from '../pipeline/core/errors.js';

export type SimEngine = EngineKind;
export const SIM_ENGINES: readonly SimEngine[] = ENGINE_KINDS;

/** Continuous-batching performance model (see perf-model.ts for how each knob is used). */
export interface PerfModel {
  /** Sequences decoded together at most (vLLM max_num_seqs, llama.cpp -np, OLLAMA_NUM_PARALLEL); more queue. */
  slots: number;
  /** Prefill cost per prompt token, ms. */
  prefillMsPerToken: number;
  /** Fixed cost of one engine step (one forward pass), ms. */
  decodeStepBaseMs: number;
  /** Extra step cost per sequence in the batch, ms: the decode step grows with batch size. */
  decodeMsPerSequence: number;
  /** Tokens one step may process (decodes + prefill chunk): long prompts are prefilled in chunks. */
  maxBatchedTokens: number;
  /** KV-cache capacity in tokens; a request reserves prompt + output tokens while it runs. */
  kvCacheTokens: number;
  /** Context length: prompt + output tokens above it are rejected (vLLM max_model_len, TGI max_total_tokens). */
  maxModelLen: number;
  /** Each step's duration is multiplied by a uniform factor in [1 − j, 1 + j]. */
  jitterFraction: number;
  /** Ollama: time to load the model on its first use (load_duration large once, then small). */
  coldLoadMs: number;
  /** Tokens per streamed chunk where the engine can merge (vLLM stream_interval); first token always alone. */
  tokensPerChunk: number;
  /** Length at which the "model" emits EOS when the request does not force exactly N tokens. */
  naturalLengthTokens: number;
  /** Requests in the engine (running + waiting) above which new ones are refused (TGI 429, Ollama 503). */
  maxInFlight: number;
}

/** Fault injection. Rates are probabilities per request, drawn from the seeded generator in arrival order. */
export interface Faults {
  /** Answer with `errorStatus` and the engine's error body instead of generating. */
  errorRate: number;
  errorStatus: number;
  /** Destroy the socket mid-stream after k tokens (k uniform in [1, N−1]). */
  disconnectRate: number;
  /** Pause one stream for `stallMs` after k tokens. */
  stallRate: number;
  stallMs: number;
  /** Write one event whose payload is not valid JSON, mid-stream. */
  malformedRate: number;
  /** Send the engine's mid-stream error event (after a 200) after k tokens, then end the stream. */
  midStreamErrorRate: number;
  /** Hold the response headers (and the request) for `slowHeadersMs`. */
  slowHeadersRate: number;
  slowHeadersMs: number;
}

export interface FixedLatency {
  /** Time from the request body being read to the first token's write. */
  ttftMs: number;
  /** Time between consecutive token writes (absolute deadlines, no drift). */
  itlMs: number;
  /**
   * A slowdown episode: requests that arrive between `afterMs` and `afterMs + forMs` after the simulator started
   * get `factor` × the TTFT and ITL. A known change for the client's anomaly detection to find (DESIGN §8).
   */
  slowdown?: { afterMs: number; forMs: number; factor: number };
}

export interface SimulatorOptions {
  engine: SimEngine;
  /** Bind address; 127.0.0.1 unless told otherwise (DESIGN §12). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The served model name (default "sim"). Ollama serves it as "<model>:latest" unless it has a tag. */
  model?: string;
  seed?: number;
  /** Fixed-latency mode: exactly one token per chunk, no batching, no jitter, no queueing, no cold load. */
  fixed?: FixedLatency;
  perf?: Partial<PerfModel>;
  faults?: Partial<Faults>;
  /** vLLM `--enable-per-request-metrics`: a `metrics` object on non-stream responses and the usage chunk. */
  perRequestMetrics?: boolean;
  /** Completed ground-truth records kept in memory (oldest dropped first). */
  maxGroundTruth?: number;
}

export interface ResolvedOptions {
  readonly engine: SimEngine;
  readonly host: string;
  readonly port: number;
  readonly model: string;
  readonly seed: number;
  readonly fixed: FixedLatency | undefined;
  readonly perf: Readonly<PerfModel>;
  readonly faults: Readonly<Faults>;
  readonly perRequestMetrics: boolean;
  readonly maxGroundTruth: number;
}

const GPU_BATCH: PerfModel = {
  slots: 256,
  prefillMsPerToken: 0.02,
  decodeStepBaseMs: 12,
  decodeMsPerSequence: 0.15,
  maxBatchedTokens: 8192,
  kvCacheTokens: 262_144,
  maxModelLen: 8192,
  jitterFraction: 0.05,
  coldLoadMs: 0,
  tokensPerChunk: 1,
  naturalLengthTokens: 256,
  maxInFlight: Number.POSITIVE_INFINITY,
};

const CPU_SLOTS: PerfModel = {
  slots: 4,
  prefillMsPerToken: 0.3,
  decodeStepBaseMs: 18,
  decodeMsPerSequence: 3,
  maxBatchedTokens: 2048,
  kvCacheTokens: 4 * 4096,
  maxModelLen: 4096,
  jitterFraction: 0.05,
  coldLoadMs: 0,
  tokensPerChunk: 1,
  naturalLengthTokens: 256,
  maxInFlight: Number.POSITIVE_INFINITY,
};

export const DEFAULT_PERF: Readonly<Record<SimEngine, Readonly<PerfModel>>> = {
  vllm: GPU_BATCH,
  openai: GPU_BATCH,
  sglang: GPU_BATCH,
  // TGI: --max-concurrent-requests 128 (beyond it: 429 "Model is overloaded"), --max-total-tokens 4096.
  tgi: { ...GPU_BATCH, slots: 128, decodeStepBaseMs: 14, decodeMsPerSequence: 0.2, maxBatchedTokens: 4096, kvCacheTokens: 131_072, maxModelLen: 4096, maxInFlight: 128 },
  llamacpp: CPU_SLOTS,
  // Ollama: OLLAMA_NUM_PARALLEL slots, OLLAMA_MAX_QUEUE 512 waiting (beyond: 503), cold load on first use.
  ollama: { ...CPU_SLOTS, coldLoadMs: 1500, maxInFlight: 4 + 512 },
};

export const NO_FAULTS: Readonly<Faults> = {
  errorRate: 0,
  errorStatus: 500,
  disconnectRate: 0,
  stallRate: 0,
  stallMs: 0,
  malformedRate: 0,
  midStreamErrorRate: 0,
  slowHeadersRate: 0,
  slowHeadersMs: 0,
};

/** A usage error about one option; `optionPath` lets the CLI name its flag instead. */
export class SimOptionError extends UsageError {
  constructor(readonly problems: ReadonlyArray<{ path: string; message: string }>) {
    super(`invalid simulator options:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const problems: Array<{ path: string; message: string }> = [];
  const check = (ok: boolean, path: string, message: string) => {
    if (!ok) problems.push({ path, message });
  };
  if (!SIM_ENGINES.includes(options.engine)) {
    throw new SimOptionError([{ path: 'engine', message: `expected one of ${SIM_ENGINES.join(', ')}, got ${String(options.engine)}` }]);
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const model = options.model ?? 'sim';
  const seed = options.seed ?? 1;
  check(typeof host === 'string' && host.length > 0, 'host', 'expected a host name or address');
  check(Number.isInteger(port) && port >= 0 && port <= 65535, 'port', `expected an integer 0..65535, got ${port}`);
  check(typeof model === 'string' && model.length > 0 && !/\s/.test(model), 'model', 'expected a non-empty name without spaces');
  check(Number.isInteger(seed), 'seed', `expected an integer, got ${seed}`);

  if (options.fixed) {
    check(isNonNegative(options.fixed.ttftMs), 'fixed.ttftMs', `expected a number ≥ 0, got ${options.fixed.ttftMs}`);
    check(isNonNegative(options.fixed.itlMs), 'fixed.itlMs', `expected a number ≥ 0, got ${options.fixed.itlMs}`);
    const slowdown = options.fixed.slowdown;
    if (slowdown) {
      check(isNonNegative(slowdown.afterMs) && isNonNegative(slowdown.forMs), 'fixed.slowdown', 'expected after and for ≥ 0');
      check(slowdown.factor > 0 && Number.isFinite(slowdown.factor), 'fixed.slowdown.factor', `expected a factor > 0, got ${slowdown.factor}`);
    }
  }

  const perf: PerfModel = { ...DEFAULT_PERF[options.engine], ...definedOnly(options.perf ?? {}) };
  for (const key of ['slots', 'maxBatchedTokens', 'kvCacheTokens', 'maxModelLen', 'tokensPerChunk', 'naturalLengthTokens'] as const) {
    check(Number.isInteger(perf[key]) && perf[key] >= 1, `perf.${key}`, `expected an integer ≥ 1, got ${perf[key]}`);
  }
  for (const key of ['prefillMsPerToken', 'decodeStepBaseMs', 'decodeMsPerSequence', 'coldLoadMs'] as const) {
    check(isNonNegative(perf[key]), `perf.${key}`, `expected a number ≥ 0, got ${perf[key]}`);
  }
  check(isNonNegative(perf.jitterFraction) && perf.jitterFraction < 1, 'perf.jitterFraction', `expected a number in [0, 1), got ${perf.jitterFraction}`);
  check(perf.maxInFlight === Number.POSITIVE_INFINITY || (Number.isInteger(perf.maxInFlight) && perf.maxInFlight >= 1), 'perf.maxInFlight', `expected an integer ≥ 1 or Infinity, got ${perf.maxInFlight}`);
  check(perf.kvCacheTokens >= perf.maxModelLen, 'perf.kvCacheTokens', `must hold at least one full context (perf.maxModelLen = ${perf.maxModelLen}), got ${perf.kvCacheTokens}`);
  // A step must always be able to make progress: at least one prefill token beside a full batch of decodes.
  check(perf.maxBatchedTokens > perf.slots, 'perf.maxBatchedTokens', `must exceed perf.slots (${perf.slots}), got ${perf.maxBatchedTokens}`);

  const givenFaults = definedOnly(options.faults ?? {});
  const faults: Faults = { ...NO_FAULTS, ...givenFaults };
  // A delay without a rate means "every request".
  if (givenFaults.slowHeadersMs !== undefined && givenFaults.slowHeadersRate === undefined && faults.slowHeadersMs > 0) faults.slowHeadersRate = 1;
  for (const key of ['errorRate', 'disconnectRate', 'stallRate', 'malformedRate', 'midStreamErrorRate', 'slowHeadersRate'] as const) {
    check(isNonNegative(faults[key]) && faults[key] <= 1, `faults.${key}`, `expected a probability in [0, 1], got ${faults[key]}`);
  }
  check(Number.isInteger(faults.errorStatus) && faults.errorStatus >= 400 && faults.errorStatus <= 599, 'faults.errorStatus', `expected an HTTP error status 400..599, got ${faults.errorStatus}`);
  check(isNonNegative(faults.stallMs), 'faults.stallMs', `expected a number ≥ 0, got ${faults.stallMs}`);
  check(isNonNegative(faults.slowHeadersMs), 'faults.slowHeadersMs', `expected a number ≥ 0, got ${faults.slowHeadersMs}`);
  const maxGroundTruth = options.maxGroundTruth ?? 200_000;
  check(Number.isInteger(maxGroundTruth) && maxGroundTruth >= 1, 'maxGroundTruth', `expected an integer ≥ 1, got ${maxGroundTruth}`);

  if (problems.length > 0) throw new SimOptionError(problems);
  return {
    engine: options.engine,
    host,
    port,
    model,
    seed,
    fixed: options.fixed
      ? { ttftMs: options.fixed.ttftMs, itlMs: options.fixed.itlMs, ...(options.fixed.slowdown ? { slowdown: { ...options.fixed.slowdown } } : {}) }
      : undefined,
    perf,
    faults,
    perRequestMetrics: options.perRequestMetrics ?? false,
    maxGroundTruth,
  };
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Drops keys whose value is undefined, so `{ slots: undefined }` does not erase a default. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
