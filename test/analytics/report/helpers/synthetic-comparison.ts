/** A Comparison (the compare command's result, pipeline/core/analysis.ts) over two synthetic sides, with verdicts the tests choose. */
import type { Comparison, MetricComparison, Verdict } from '../../../../pipeline/core/analysis.js';
import { syntheticRun, type SyntheticRun } from './synthetic-run.js';

export interface SyntheticComparison {
  readonly comparison: Comparison;
  readonly base: SyntheticRun[];
  readonly cand: SyntheticRun[];
}

const metric = (verdict: Verdict, gated: boolean, base: number, cand: number, higherIsBetter = false): MetricComparison => ({
  base: { p50: base, p95: base * 1.5, p99: base * 2, n: 500, n_effective: 120 },
  cand: { p50: cand, p95: cand * 1.5, p99: cand * 2, n: 500, n_effective: 120 },
  diff_pct: ((cand - base) / base) * 100,
  ci_low_pct: ((cand - base) / base) * 100 - 3,
  ci_high_pct: ((cand - base) / base) * 100 + 3,
  p: higherIsBetter ? null : 0.0004,
  verdict,
  gated,
  higher_is_better: higherIsBetter,
});

export function syntheticComparison(options: { readonly candModel?: string; readonly repeats?: number } = {}): SyntheticComparison {
  const repeats = options.repeats ?? 1;
  const base = Array.from({ length: repeats }, (_, i) => syntheticRun({ requests: 600, durationS: 30, seed: 1 + i, runId: `base-${i + 1}` }));
  const cand = Array.from({ length: repeats }, (_, i) =>
    syntheticRun({ requests: 600, durationS: 30, seed: 11 + i, runId: `cand-${i + 1}`, latencyFactor: 1.3, engine: 'sglang', ...(options.candModel ? { model: options.candModel } : {}) }),
  );
  const side = (runs: SyntheticRun[]) => ({
    runs: runs.map((run) => ({ run_id: run.result.run_id, dir: `/runs/${run.result.run_id}`, started_at: run.result.started_at })),
    engine: runs[0]!.result.target.engine,
    model: runs[0]!.result.target.model,
    url: runs[0]!.result.target.url,
    requests: runs.reduce((sum, run) => sum + run.result.summary.requests.ok, 0),
  });
  const comparison: Comparison = {
    verdict: 'regressed',
    workload_match: true,
    workload_differences: [],
    base: side(base),
    cand: side(cand),
    metrics: {
      ttft_ms: metric('regressed', true, 300, 390),
      itl_ms: metric('regressed', true, 14, 18.2),
      total_duration_ms: metric('regressed', true, 1200, 1560),
      tpot_ms: metric('unchanged', false, 14, 14.1),
      output_tps: metric('regressed', true, 1500, 1150, true),
    },
    method: { resamples: 10_000, seed: 1, alpha: 0.05, noise_pct: 2 },
    summary: ['ttft_ms p50 +30.0 % (95 % CI +27.0 … +33.0 %): regressed', 'Overall: regressed on 4 gated metrics'],
  };
  return { comparison, base, cand };
}
