/**
 * The search for the highest load meeting SLOs (`llmbench run sweep --slo …`, DESIGN §8): an exponential bracket
 * from the lowest level of the sweep's range, doubling until a level fails (or the highest is reached), then
 * bisection between the last level that passed and the first that failed, until they are within the resolution
 * (one user, or 12.5 % of the level). Each level is measured `repeats` times; a level passes when every repeat's
 * summary meets every SLO (evaluateThresholds on the measured statistic); a level that was ended early (for
 * saturation) fails. The analysis then fits all measured levels (analytics/slo.ts) for the limit and its CI.
 */
import type { Phase } from '../core/plan.js';
import type { StageSummary } from '../core/run-result.js';
import { evaluateThresholds, type Threshold } from '../scenario/thresholds.js';

export interface MeasuredPhase {
  readonly phase: Phase;
  readonly stages: readonly StageSummary[];
  /** Why the phase was ended before its stop condition, if it was. */
  readonly endedEarly?: string;
}

/** Decides the next phase from what was measured; undefined: the run is over. */
export interface PhasePlanner {
  next(measured: readonly MeasuredPhase[]): Phase | undefined;
}

export interface LevelSearchOptions {
  readonly mode: 'concurrency' | 'rate';
  readonly lowest: number;
  readonly highest: number;
  readonly slos: readonly Threshold[];
  readonly repeats: number;
  /** The phase that measures `level` once, as stage `stageIndex`, named for its repeat. */
  readonly phaseFor: (level: number, stageIndex: number, repeat: number) => Phase;
  /** At most this many distinct levels (default 16). */
  readonly maxLevels?: number;
}

export class LevelSearch implements PhasePlanner {
  readonly #verdicts = new Map<number, boolean>();
  #stageIndex = 0;
  #pending: Array<{ level: number; repeat: number }> = [];

  constructor(private readonly options: LevelSearchOptions) {
    if (!(options.lowest > 0) || !(options.highest >= options.lowest)) throw new Error('LevelSearch needs 0 < lowest ≤ highest');
  }

  next(measured: readonly MeasuredPhase[]): Phase | undefined {
    if (this.#pending.length === 0) {
      this.#judge(measured);
      const level = this.#nextLevel();
      if (level === undefined) return undefined;
      this.#pending = Array.from({ length: this.options.repeats }, (_, repeat) => ({ level, repeat }));
    }
    const { level, repeat } = this.#pending.shift()!;
    return this.options.phaseFor(level, this.#stageIndex++, repeat);
  }

  /** Levels measured and whether each met every SLO. */
  verdicts(): ReadonlyMap<number, boolean> {
    return this.#verdicts;
  }

  #judge(measured: readonly MeasuredPhase[]): void {
    const byLevel = new Map<number, MeasuredPhase[]>();
    for (const entry of measured) {
      if (entry.phase.warmup) continue;
      const level = entry.phase.stages[0]?.target;
      if (level === undefined) continue;
      byLevel.set(level, [...(byLevel.get(level) ?? []), entry]);
    }
    for (const [level, entries] of byLevel) {
      const pass = entries.every((entry) => !entry.endedEarly && entry.stages.every((stage) => stage.requests.ok > 0 && evaluateThresholds(stage, this.options.slos).every((result) => result.ok)));
      this.#verdicts.set(level, pass);
    }
  }

  #nextLevel(): number | undefined {
    const { lowest, highest } = this.options;
    if (this.#verdicts.size >= (this.options.maxLevels ?? 16)) return undefined;
    const measured = [...this.#verdicts].sort((a, b) => a[0] - b[0]);
    if (measured.length === 0) return lowest;
    const passed = measured.filter(([, ok]) => ok).map(([level]) => level);
    const failed = measured.filter(([, ok]) => !ok).map(([level]) => level);
    const bestPass = passed.length ? Math.max(...passed) : undefined;
    const firstFail = failed.length ? Math.min(...failed) : undefined;
    if (bestPass === undefined) return undefined; // the lowest level already fails: nothing below the range is measured
    if (firstFail === undefined) {
      // Still bracketing: double, up to the top of the range.
      if (bestPass >= highest) return undefined;
      return this.#round(Math.min(bestPass * 2, highest));
    }
    if (firstFail - bestPass <= this.#resolution(bestPass)) return undefined;
    const middle = this.#round((bestPass + firstFail) / 2);
    return middle > bestPass && middle < firstFail && !this.#verdicts.has(middle) ? middle : undefined;
  }

  #resolution(level: number): number {
    return this.options.mode === 'concurrency' ? Math.max(1, Math.round(level * 0.125)) : level * 0.125;
  }

  #round(level: number): number {
    return this.options.mode === 'concurrency' ? Math.round(level) : Math.round(level * 100) / 100;
  }
}
