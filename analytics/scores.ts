/**
 * Two 0–100 scores that sum up a run for a person (DESIGN §8), each with the formula printed beside it:
 * - predictability, from the tail ratio of e2e latency (p99 / p50) and its coefficient of variation:
 *   50 · p50/p99 + 50 · max(0, 1 − CV). A server whose every request takes the same time scores 100.
 * - responsiveness, from TTFT p95 against an interactive reference of 500 ms and the mean per-request ITL CV
 *   (jitter while streaming): 50 · min(1, 500 ms / TTFT p95) + 50 · max(0, 1 − ITL CV).
 */
import type { Score } from '../pipeline/core/analysis.js';
import type { RunSummary } from '../pipeline/core/run-result.js';

export const RESPONSIVE_TTFT_MS = 500;

export function predictability(summary: RunSummary): Score | null {
  const e2e = summary.metrics.total_duration_ms;
  if (!e2e || e2e.p99 <= 0) return null;
  const tailRatio = e2e.p99 / e2e.p50;
  const score = 50 * (e2e.p50 / e2e.p99) + 50 * Math.max(0, 1 - e2e.cv);
  return { score: clamp(score), inputs: { e2e_p99_over_p50: tailRatio, e2e_cv: e2e.cv }, formula: '50 · p50/p99 + 50 · max(0, 1 − CV), of total_duration_ms' };
}

export function responsiveness(summary: RunSummary): Score | null {
  const ttft = summary.metrics.ttft_ms;
  if (!ttft || ttft.p95 <= 0) return null;
  const jitter = summary.jitter.itl_cv_mean;
  const score = 50 * Math.min(1, RESPONSIVE_TTFT_MS / ttft.p95) + 50 * Math.max(0, 1 - (jitter ?? 0));
  return {
    score: clamp(score),
    inputs: { ttft_p95_ms: ttft.p95, itl_cv_mean: jitter },
    formula: `50 · min(1, ${RESPONSIVE_TTFT_MS} ms / TTFT p95) + 50 · max(0, 1 − mean per-request ITL CV)`,
  };
}

function clamp(score: number): number {
  return Math.round(Math.min(100, Math.max(0, score)) * 10) / 10;
}
