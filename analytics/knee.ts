/**
 * The knee of the scaling curve: where added load stops adding throughput. Kneedle (Satopää, Albrecht, Irwin and
 * Raghavan, 2011) on output tokens/s (requests/s when no tokens were counted) against log₂ of the load, with
 * sensitivity S = 1: both axes scaled to [0, 1], the knee is the level where the scaled throughput lies furthest
 * above the diagonal, confirmed only if the difference curve then falls below d_max − S·mean(Δx) at a higher
 * level. So a curve that still rises at the highest level measured has no knee (it is never extrapolated), and
 * neither has one that never bends (d_max < 0.05: throughput proportional to log-load).
 */
import type { Knee, ScalingLevel } from '../pipeline/core/analysis.js';

const SENSITIVITY = 1;
const MIN_BEND = 0.05;

export const KNEE_METHOD = `Kneedle (Satopää et al. 2011) on output tok/s against log2(load), S = ${SENSITIVITY}; confirmed only when the difference curve falls below its threshold at a higher measured level`;

export function findKnee(levels: readonly ScalingLevel[]): Knee | null {
  const steady = distinctLevels(levels.filter((level) => level.steady && level.level > 0));
  if (steady.length < 3) return null;
  const useTokens = steady.some((level) => level.output_tps > 0);
  const throughput = steady.map((level) => (useTokens ? level.output_tps : level.rps));
  const x = steady.map((level) => Math.log2(level.level));
  const scale = (values: number[]) => {
    const min = Math.min(...values);
    const max = Math.max(...values);
    return values.map((value) => (max > min ? (value - min) / (max - min) : 0));
  };
  const xs = scale(x);
  const ys = scale(throughput);
  const difference = ys.map((y, i) => y - xs[i]!);
  let kneeIndex = 0;
  for (let i = 1; i < difference.length; i++) if (difference[i]! > difference[kneeIndex]!) kneeIndex = i;
  if (difference[kneeIndex]! < MIN_BEND || kneeIndex === steady.length - 1) return null;
  const meanStep = (xs[xs.length - 1]! - xs[0]!) / (xs.length - 1);
  const threshold = difference[kneeIndex]! - SENSITIVITY * meanStep;
  if (!difference.slice(kneeIndex + 1).some((d) => d < threshold)) return null;

  const knee = steady[kneeIndex]!;
  const top = steady[steady.length - 1]!;
  const latencyMetric = knee.metrics.ttft_ms ? 'ttft_ms' : 'total_duration_ms';
  const kneeLatency = knee.metrics[latencyMetric]?.p95;
  const topLatency = top.metrics[latencyMetric]?.p95;
  const kneeThroughput = throughput[kneeIndex]!;
  return {
    level: knee.level,
    rps: knee.rps,
    beyond: kneeLatency !== undefined && topLatency !== undefined && kneeLatency > 0 && kneeThroughput > 0
      ? {
          level: top.level,
          latency_factor: topLatency / kneeLatency,
          latency_metric: `${latencyMetric} p95`,
          throughput_gain_pct: ((throughput[throughput.length - 1]! - kneeThroughput) / kneeThroughput) * 100,
        }
      : null,
    method: KNEE_METHOD,
  };
}

/** One entry per load value, sorted; of repeats (e.g. --repeats) the one with most requests. */
function distinctLevels(levels: readonly ScalingLevel[]): ScalingLevel[] {
  const byLevel = new Map<number, ScalingLevel>();
  for (const level of levels) {
    const seen = byLevel.get(level.level);
    if (!seen || level.requests > seen.requests) byLevel.set(level.level, level);
  }
  return [...byLevel.values()].sort((a, b) => a.level - b.level);
}
