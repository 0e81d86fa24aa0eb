import test from 'ava';
import { compareRuns, type SideRun } from '../../analytics/compare.js';
import { AnalyticsError } from '../../pipeline/core/errors.js';
import { syntheticRun } from '../../bench/common/synthetic-run.js';

function side(ttftMs: number, options: { seed?: number; maxTokens?: number; itlMs?: number } = {}): SideRun[] {
  const { result, data } = syntheticRun([{ level: 8, seconds: 30, ttftMs: (_t, random) => ttftMs * (0.8 + 0.4 * random()), itlMs: () => options.itlMs ?? 10 }], { seed: options.seed ?? 1 });
  const scenario = options.maxTokens ? { ...result.scenario, workload: { ...(result.scenario.workload as object), max_tokens: options.maxTokens } } : result.scenario;
  return [{ dir: `/runs/${ttftMs}-${options.seed ?? 1}`, result: { ...result, run_id: `r-${ttftMs}-${options.seed ?? 1}`, scenario }, data }];
}

test('two runs of one configuration: unchanged, exit-worthy nothing', (t) => {
  const comparison = compareRuns(side(40, { seed: 1 }), side(40, { seed: 2 }));
  t.is(comparison.verdict, 'unchanged');
  t.true(comparison.workload_match);
  for (const metric of Object.values(comparison.metrics)) t.is(metric.verdict, 'unchanged');
  t.is(comparison.metrics.ttft_ms!.gated, true);
  t.is(comparison.metrics.tpot_ms!.gated, false);
});

test('a 20 % slower TTFT is regressed, with an interval around +20 % and a small p', (t) => {
  const comparison = compareRuns(side(40), side(48, { seed: 2 }));
  t.is(comparison.verdict, 'regressed');
  const ttft = comparison.metrics.ttft_ms!;
  t.is(ttft.verdict, 'regressed');
  t.true(ttft.diff_pct > 15 && ttft.diff_pct < 25, String(ttft.diff_pct));
  t.true(ttft.ci_low_pct > 10 && ttft.ci_high_pct < 30, `${ttft.ci_low_pct} … ${ttft.ci_high_pct}`);
  t.true(ttft.p! < 1e-6);
  t.regex(comparison.summary.join('\n'), /ttft_ms p50 .* regressed/);
});

test('faster is improved; higher throughput is improved, lower regressed', (t) => {
  const faster = compareRuns(side(48), side(40, { seed: 2 }));
  t.is(faster.metrics.ttft_ms!.verdict, 'improved');
  const quicker = compareRuns(side(40, { itlMs: 10 }), side(40, { seed: 2, itlMs: 7 }));
  t.is(quicker.metrics.output_tps!.verdict, 'improved', JSON.stringify(quicker.metrics.output_tps));
  t.is(quicker.metrics.itl_ms!.verdict, 'improved');
  const slower = compareRuns(side(40, { itlMs: 7 }), side(40, { seed: 2, itlMs: 10 }));
  t.is(slower.metrics.output_tps!.verdict, 'regressed');
  t.is(slower.verdict, 'regressed');
});

test('a significant change below the noise threshold is unchanged', (t) => {
  const comparison = compareRuns(side(40), side(40.6, { seed: 2 }), { noisePct: 5 });
  t.is(comparison.metrics.ttft_ms!.verdict, 'unchanged');
});

test('different workloads are refused with what differs, unless allowed', (t) => {
  const error = t.throws(() => compareRuns(side(40), side(40, { maxTokens: 64 })), { instanceOf: AnalyticsError });
  t.is(error?.code, 'WORKLOAD_MISMATCH');
  t.is(error?.exitCode, 2);
  t.regex(error?.message ?? '', /max_tokens: 8 ≠ 64/);
  const allowed = compareRuns(side(40), side(40, { maxTokens: 64 }), { allowDifferentWorkload: true });
  t.false(allowed.workload_match);
  t.deepEqual(allowed.workload_differences.length, 1);
});

test('repeats on a side are pooled', (t) => {
  const comparison = compareRuns([...side(40, { seed: 1 }), ...side(40, { seed: 3 })], side(40, { seed: 2 }));
  t.is(comparison.base.runs.length, 2);
  const ratio = comparison.metrics.ttft_ms!.base.n / comparison.metrics.ttft_ms!.cand.n;
  t.true(Math.abs(ratio - 2) < 0.1, String(ratio));
});

test('requests that drift together in send order count as fewer independent draws, and the same drift twice is unchanged', (t) => {
  // TTFT that wanders over seconds (a batch's shared slowness), the same process on both sides with other seeds.
  const drifting = (seed: number): SideRun[] => {
    const phase = seed * 1.7;
    const { result, data } = syntheticRun([{ level: 8, seconds: 30, ttftMs: (tMs, random) => 40 * (1 + 0.25 * Math.sin(tMs / 2000 + phase)) * (0.95 + 0.1 * random()), itlMs: () => 10 }], { seed });
    return [{ dir: `/runs/drift-${seed}`, result: { ...result, run_id: `drift-${seed}` }, data }];
  };
  const iid = compareRuns(side(40, { seed: 1 }), side(40, { seed: 2 })).metrics.ttft_ms!;
  t.true(iid.base.n_effective > 0.7 * iid.base.n, `${iid.base.n_effective} of ${iid.base.n}`);
  const drift = compareRuns(drifting(1), drifting(2));
  const ttft = drift.metrics.ttft_ms!;
  t.true(ttft.base.n_effective < ttft.base.n / 5, `${ttft.base.n_effective} of ${ttft.base.n}`);
  t.is(ttft.verdict, 'unchanged', JSON.stringify(ttft));
  // The interval is as wide as the drift makes the median uncertain, not as narrow as n iid requests would make it.
  t.true(ttft.ci_high_pct - ttft.ci_low_pct > 2 * (iid.ci_high_pct - iid.ci_low_pct), `${ttft.ci_low_pct} … ${ttft.ci_high_pct} vs ${iid.ci_low_pct} … ${iid.ci_high_pct}`);
});
