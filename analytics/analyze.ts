/**
 * analyzeRun (DESIGN §3, §8): run.json `analysis` from a run's result and its data (run-data.ts), the same
 * whether the data came from the live run, a run directory or InfluxDB. Pure: each part is its own module with
 * its method named in `methods`, and each is tested on synthetic data whose answer is known.
 */
import type { RunAnalysis } from '../pipeline/core/analysis.js';
import { percentileSorted } from '../pipeline/core/stats.js';
import type { RunResult } from '../pipeline/core/run-result.js';
import { ANOMALY_METHOD, findAnomalies } from './anomalies.js';
import { CORRELATION_METHOD, correlate } from './correlation.js';
import { findKnee, KNEE_METHOD } from './knee.js';
import { loadLevels } from './levels.js';
import { recommend } from './recommendations.js';
import { scalingLevel } from './scaling.js';
import { predictability, responsiveness } from './scores.js';
import { analyzeSlos, parseSlo, SLO_METHOD } from './slo.js';
import { SATURATION_METHOD, saturationAnomalies } from './saturation.js';
import { STATUS_CODES, type RunData } from './run-data.js';

export interface AnalysisOptions {
  /** SLOs as given to --slo, e.g. "ttft_ms:p95<1000". */
  readonly slos?: readonly string[];
  /** Seed of the bootstrap (the same data and seed give the same intervals). */
  readonly seed?: number;
}

/** In-flight readings per stage name, from the pool's counter during a live run. */
export type LiveInFlight = ReadonlyMap<string, ReadonlyArray<{ readonly atMs: number; readonly value: number }>>;

export function analyzeRun(result: RunResult, data: RunData, options: AnalysisOptions = {}, liveInFlight?: LiveInFlight): RunAnalysis {
  const levels = loadLevels(result, data.requests);
  const scaling = levels.map((level) => scalingLevel(data.requests, level, liveInFlight?.get(level.stage.name)));
  const knee = findKnee(scaling);
  const slo = analyzeSlos((options.slos ?? []).map(parseSlo), levels, data.requests, options.seed ?? 1);
  const anomalies = [...findAnomalies(data.requests, levels, data.windows), ...saturationAnomalies(data.windows)].sort((a, b) => a.at_ms - b.at_ms);
  const correlations = correlate(data.resources, data.windows);
  return {
    scaling: { levels: scaling, knee },
    slo,
    anomalies,
    correlations,
    scores: { predictability: predictability(result.summary), responsiveness: responsiveness(result.summary) },
    recommendations: recommend({ result, knee, slo, anomalies, measuredPromptTokens: medianPromptTokens(data) }),
    methods: {
      percentiles: 'exact over all non-warmup ok requests, linear interpolation between closest ranks',
      knee: KNEE_METHOD,
      slo: SLO_METHOD,
      anomalies: ANOMALY_METHOD,
      saturation: SATURATION_METHOD,
      correlation: CORRELATION_METHOD,
      littles_law: "L = λW per level: L the exact in-flight average from the stamps, λ = ok completions / span, W = mean total_duration_ms; and the workers' in-flight counter, sampled live, against the records over the same seconds",
    },
  };
}

function medianPromptTokens(data: RunData): number | null {
  const status = data.requests.status.view();
  const tokens = data.requests.metrics.prompt_tokens.view();
  const values: number[] = [];
  for (let i = 0; i < tokens.length; i++) if (status[i] === STATUS_CODES.ok && Number.isFinite(tokens[i]!)) values.push(tokens[i]!);
  return values.length ? percentileSorted(Float64Array.from(values).sort(), 0.5) : null;
}
