/**
 * run.json `analysis` (DESIGN §8): the answers a run ends with. Types only; analytics/ computes them, and the
 * report, the CLI summary and the dashboards read them. Every number is a measured value or is computed from
 * measured values by the method named beside it; nothing here is extrapolated past what was measured.
 */

/** p50/p95/p99 of one per-request metric at one level. */
export interface LevelPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** One load level: a sweep level, a stage, or the whole run. */
export interface ScalingLevel {
  /** Users (concurrency) or requests/s (rate); the stage's target, or the run's configured load. */
  readonly level: number;
  readonly kind: 'concurrency' | 'rate';
  /** The stage this level is (run.json stages[].name). */
  readonly stage: string;
  /** False for a stage of a ramp (its load varies); only steady levels are compared for the knee and SLOs. */
  readonly steady: boolean;
  readonly requests: number;
  readonly rps: number;
  readonly output_tps: number;
  readonly goodput_rps: number;
  readonly error_rate: number;
  /** Exact time-average of requests in flight between the level's first send and last completion. */
  readonly in_flight_mean: number;
  readonly metrics: Readonly<Record<string, LevelPercentiles>>;
  /**
   * L = λW (DESIGN §8): `in_flight_mean` is the exact time-average of requests in flight over the level's span
   * (from the stamps), `rps_x_latency` = ok completions / span × mean total_duration_ms; they part when requests
   * fail (their time in flight counts in L only) or when a duration disagrees with its stamps. `counter` compares
   * the workers' own in-flight counter, sampled during the run, with the records over the same seconds: an
   * independent count, so a gap there means records were lost or counted twice.
   */
  readonly littles_law: {
    readonly in_flight_mean: number;
    readonly rps_x_latency: number;
    readonly error_pct: number;
    readonly counter: { readonly samples: number; readonly mean: number; readonly records_mean: number; readonly error_pct: number } | null;
  } | null;
}

export interface Knee {
  readonly level: number;
  readonly rps: number;
  /** The knee level against the highest level measured. */
  readonly beyond: {
    readonly level: number;
    /** TTFT p95 at the highest level ÷ at the knee. */
    readonly latency_factor: number;
    readonly latency_metric: string;
    readonly throughput_gain_pct: number;
  } | null;
  /** How it was found, e.g. "Kneedle (Satopää et al. 2011) on output tok/s vs log2(level), S = 1". */
  readonly method: string;
}

export interface ScalingAnalysis {
  readonly levels: readonly ScalingLevel[];
  /** Null with fewer than three levels, or when throughput never bends. */
  readonly knee: Knee | null;
}

/** Max load meeting every SLO (DESIGN §8 contract). */
export interface SloAnalysis {
  /** As given: "ttft_ms:p95<1000". */
  readonly slos: readonly string[];
  /** The highest measured level that met every SLO; null when even the lowest failed. */
  readonly max_level: number | null;
  readonly kind: 'concurrency' | 'rate';
  /** 95 % bootstrap interval of the interpolated crossing; null unless bracketed. */
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  /** The interpolated load where the first SLO is crossed (isotonic fit, linear between levels). */
  readonly crossing: number | null;
  /** True when a measured level failed, so the limit lies between two measured levels. */
  readonly bracketed: boolean;
  readonly first_failing_level: number | null;
  readonly failing_metric: string | null;
  /** The failing metric's value at the first failing level. */
  readonly failing_value: number | null;
  /** Per level and SLO: the measured value and whether it met the bound. */
  readonly levels: ReadonlyArray<{ readonly level: number; readonly values: Readonly<Record<string, number | null>>; readonly ok: boolean }>;
  readonly method: string;
  /** The one sentence a person reads. */
  readonly sentence: string;
}

export interface Anomaly {
  /** A window series: ttft_p50_ms, itl_p50_ms, output_tps, error_rate … */
  readonly metric: string;
  readonly kind: 'change_point' | 'outlier' | 'saturation';
  /** Epoch ms: start of the first window after the change (or of the episode). */
  readonly at_ms: number;
  /** End of an episode (outlier run, saturation). */
  readonly end_ms?: number;
  /** The metric's median in the segments either side. */
  readonly before: number;
  readonly after: number;
  readonly magnitude_pct: number;
  /** Significance of the change (the test's p-value), where the method gives one. */
  readonly p?: number;
  readonly detail: string;
}

export interface Correlation {
  readonly resource: string;
  readonly performance: string;
  /** Spearman's rank correlation at the best lag. */
  readonly rho: number;
  readonly p: number;
  readonly n: number;
  /** Seconds the resource series is shifted (positive: the resource leads). */
  readonly lag_s: number;
}

export interface Score {
  /** 0–100, higher is better. */
  readonly score: number;
  readonly inputs: Readonly<Record<string, number | null>>;
  readonly formula: string;
}

export interface Recommendation {
  readonly kind: 'knee' | 'slo' | 'saturation' | 'validity' | 'errors' | 'anomaly' | 'prompt_length';
  readonly text: string;
  /** The numbers the sentence came from. */
  readonly numbers: Readonly<Record<string, number | string | null>>;
}

export interface RunAnalysis {
  readonly scaling: ScalingAnalysis;
  readonly slo: SloAnalysis | null;
  readonly anomalies: readonly Anomaly[];
  readonly correlations: readonly Correlation[];
  readonly scores: { readonly predictability: Score | null; readonly responsiveness: Score | null };
  readonly recommendations: readonly Recommendation[];
  /** The methods and their parameters, for the report. */
  readonly methods: Readonly<Record<string, string>>;
}

/** One side of a comparison: a run, or a folder of repeats of one configuration. */
export interface ComparedSide {
  readonly runs: ReadonlyArray<{ readonly run_id: string; readonly dir: string; readonly started_at: string }>;
  readonly engine: string;
  readonly model: string;
  readonly url: string;
  /** Non-warmup ok requests pooled over the side's runs. */
  readonly requests: number;
}

export type Verdict = 'improved' | 'regressed' | 'unchanged';

/**
 * One side of a metric: its percentiles, n, and n_effective, n over the design effect of its values in send order
 * (analytics/stats/design-effect.ts: how many independent draws they are worth); for output throughput, n is the
 * requests and n_effective the 1 s windows.
 */
export type ComparedValues = LevelPercentiles & { readonly n: number; readonly n_effective: number };

export interface MetricComparison {
  readonly base: ComparedValues;
  readonly cand: ComparedValues;
  /** (cand − base) / base × 100 on the median (p50); for output throughput, on the mean of whole 1 s windows. */
  readonly diff_pct: number;
  /** Bootstrap interval of diff_pct at 1 − α; NaN when there is too little to resample (the metric is then unchanged). */
  readonly ci_low_pct: number;
  readonly ci_high_pct: number;
  /** Mann-Whitney U two-sided p-value (per-request metrics; null for a run-level figure). */
  readonly p: number | null;
  readonly verdict: Verdict;
  /** Whether this metric decides the overall verdict and the exit code. */
  readonly gated: boolean;
  readonly higher_is_better: boolean;
}

/** `llmbench compare` (DESIGN §8 contract). */
export interface Comparison {
  readonly verdict: Verdict;
  readonly workload_match: boolean;
  /** What differs when the workloads do not match (only with --allow-different-workload). */
  readonly workload_differences: readonly string[];
  readonly base: ComparedSide;
  readonly cand: ComparedSide;
  readonly metrics: Readonly<Record<string, MetricComparison>>;
  /** Method and parameters: resamples, seed, alpha, noise. */
  readonly method: Readonly<Record<string, string | number>>;
  /** One sentence per gated metric that changed, and the overall answer. */
  readonly summary: readonly string[];
}
