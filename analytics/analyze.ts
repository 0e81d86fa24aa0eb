/** analyzeRun: run.json `analysis` from a run's result and data (DESIGN §8). */
import type { RunAnalysis } from '../pipeline/core/analysis.js';
import type { RunResult } from '../pipeline/core/run-result.js';
import type { RunData } from './run-data.js';

export interface AnalysisOptions {
  /** SLOs as given to --slo, e.g. "ttft_ms:p95<1000". */
  readonly slos?: readonly string[];
}

export function analyzeRun(_result: RunResult, _data: RunData, _options: AnalysisOptions = {}): RunAnalysis {
  return {
    scaling: { levels: [], knee: null },
    slo: null,
    anomalies: [],
    correlations: [],
    scores: { predictability: null, responsiveness: null },
    recommendations: [],
    methods: {},
  };
}
