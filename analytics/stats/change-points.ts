/**
 * Change points in a short series (one number per run, oldest first), the way Apache Otava (formerly Hunter) finds
 * them in nightly benchmarks: E-divisive proposes where to split, a Student t-test decides whether the split is
 * real, and a final pass drops change points that are no longer significant against their neighbours.
 *
 * - Proposal: within a segment, the split τ (and the end κ of the values after it) that maximises E-divisive's
 *   energy statistic (Matteson & James 2014, α = 1): Q = m·k/(m+k) · (2/(m·k) Σ|x−y| − Σ|x−x'|/C(m,2) − Σ|y−y'|/C(k,2)),
 *   with sums kept incrementally as the sides grow.
 * - Decision: the two sides of the proposal by Student's t-test
 *   (stats/t-test.ts); the split is kept when p < α and the means differ by at least `minMagnitudePct`. A t-test
 *   and not E-divisive's permutation test: on 6 runs a permutation test has 20 distinct splits of 3 against 3 and
 *   cannot reach α = 0.01 whatever the data. Each round keeps the most significant of the segments' proposals.
 * - Merge (Otava's): with every split made, each change point is re-tested against the segments either side;
 *   the weakest that fails is removed, and the rest re-tested, until all pass.
 *
 * Segments hold at least `minSegment` runs (default 2), except that the newest run may stand alone: a change that
 * the newest run starts is then found the night it happens (one run against the segment before it is the
 * prediction-interval test) and marked provisional, for the next runs to confirm or withdraw.
 */
import { moments, studentTTest } from './t-test.js';

export interface ChangePointOptions {
  /** Significance level of the t-test (Otava's max_pvalue). */
  readonly alpha: number;
  /** Smallest relative change of the mean reported, in % (Otava's min_magnitude × 100). */
  readonly minMagnitudePct: number;
  /** Fewest values in a segment (default 2); the newest value may still form a segment alone. */
  readonly minSegment?: number;
}

export interface ChangePoint {
  /** Index of the first value after the change. */
  readonly index: number;
  /** Mean of the segment before and after it. */
  readonly before: number;
  readonly after: number;
  /** (after − before) / before × 100. */
  readonly diffPct: number;
  readonly p: number;
  /** The change rests on the newest value alone. */
  readonly provisional: boolean;
}

export function findChangePoints(values: readonly number[], options: ChangePointOptions): ChangePoint[] {
  const minSegment = Math.max(1, options.minSegment ?? 2);
  const n = values.length;
  if (n < 2) return [];
  const splits: number[] = [];
  for (;;) {
    const bounds = [0, ...splits, n];
    let best: { index: number; p: number } | undefined;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const candidate = proposeSplit(values, bounds[s]!, bounds[s + 1]!, minSegment);
      if (candidate === undefined) continue;
      const tested = test(values, bounds[s]!, candidate.index, candidate.end, options);
      if (tested.passes && (!best || tested.p < best.p)) best = { index: candidate.index, p: tested.p };
    }
    if (!best) break;
    splits.push(best.index);
    splits.sort((a, b) => a - b);
  }
  // Merge: re-test each change point between its neighbours; drop the weakest failing one until none fails.
  for (;;) {
    let weakest: { at: number; p: number } | undefined;
    splits.forEach((index, at) => {
      const tested = test(values, at === 0 ? 0 : splits[at - 1]!, index, at === splits.length - 1 ? n : splits[at + 1]!, options);
      if (!tested.passes && (!weakest || tested.p > weakest.p)) weakest = { at, p: tested.p };
    });
    if (!weakest) break;
    splits.splice(weakest.at, 1);
  }
  return splits.map((index, at) => {
    const from = at === 0 ? 0 : splits[at - 1]!;
    const to = at === splits.length - 1 ? n : splits[at + 1]!;
    const left = moments(values, from, index);
    const right = moments(values, index, to);
    return {
      index,
      before: left.mean,
      after: right.mean,
      diffPct: relativePct(left.mean, right.mean),
      p: studentTTest(left, right).p,
      provisional: index === n - 1,
    };
  });
}

function test(values: readonly number[], from: number, index: number, to: number, options: ChangePointOptions): { passes: boolean; p: number } {
  const left = moments(values, from, index);
  const right = moments(values, index, to);
  const { p } = studentTTest(left, right);
  const magnitude = Math.abs(relativePct(left.mean, right.mean));
  return { passes: p < options.alpha && (magnitude >= options.minMagnitudePct || !Number.isFinite(magnitude)), p };
}

/**
 * The split of values[from, to) with the largest energy statistic, searched as E-divisive does over both the split
 * τ and the end κ of the right side ([from, τ) against [τ, κ), κ ≤ to, κ − τ ≤ MAX_RIGHT_RUNS): a change that is
 * undone later in the segment (an episode) is found too. Each side holds at least `minSegment` values, except that
 * the newest value may stand alone at the end of the series. Undefined when no split is allowed.
 */
export function proposeSplit(values: readonly number[], from: number, to: number, minSegment: number): { index: number; end: number } | undefined {
  const n = values.length;
  const lastTau = to === n ? to - 1 : to - minSegment;
  let best: { index: number; end: number; q: number } | undefined;
  let withinLeft = 0; // Σ|a − b| over pairs in [from, τ)
  for (let i = from; i < from + minSegment - 1 && i < to; i++) for (let j = i + 1; j < from + minSegment; j++) withinLeft += Math.abs(values[i]! - values[j]!);
  for (let tau = from + minSegment; tau <= lastTau; tau++) {
    if (tau > from + minSegment) for (let i = from; i < tau - 1; i++) withinLeft += Math.abs(values[tau - 1]! - values[i]!);
    const m = tau - from;
    let withinRight = 0;
    let across = 0;
    for (let kappa = tau + 1; kappa <= Math.min(to, tau + MAX_RIGHT_RUNS); kappa++) {
      // values[κ − 1] joins the right side.
      const joined = values[kappa - 1]!;
      for (let j = tau; j < kappa - 1; j++) withinRight += Math.abs(joined - values[j]!);
      for (let i = from; i < tau; i++) across += Math.abs(joined - values[i]!);
      const k = kappa - tau;
      if (k < minSegment && !(tau === n - 1 && kappa === n)) continue;
      const energy = (2 * across) / (m * k) - pairMean(withinLeft, m) - pairMean(withinRight, k);
      const q = ((m * k) / (m + k)) * energy;
      if (!best || q > best.q) best = { index: tau, end: kappa, q };
    }
  }
  return best && { index: best.index, end: best.end };
}

/** How far the right side of a proposed split may reach (Otava's window_len). */
const MAX_RIGHT_RUNS = 50;

function pairMean(sum: number, count: number): number {
  return count < 2 ? 0 : sum / ((count * (count - 1)) / 2);
}

function relativePct(before: number, after: number): number {
  return before !== 0 ? ((after - before) / Math.abs(before)) * 100 : Number.NaN;
}
