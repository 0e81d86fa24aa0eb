/**
 * A sweep: one phase per concurrency or rate level, run one after another, each its own stage in run.json
 * (named `c=8` or `r=2.5`), which is what the scaling analysis (DESIGN §8) fits the knee on. Phases
 * rather than stages of one phase, so each level starts from an empty server instead of inheriting the
 * previous level's queue.
 */
import type { Phase } from '../core/plan.js';
import { constantConcurrency } from './constant-concurrency.js';
import { constantRate } from './constant-rate.js';
import { mixSeed } from './random.js';
import type { ArrivalSettings, StopConditions } from './types.js';

export type SweepMode = 'concurrency' | 'rate';

interface SweepBase {
  readonly levels: readonly number[];
  /** Stop conditions of every level. */
  readonly perLevel: StopConditions;
  /** Index in run.json stages[] of the first level. */
  readonly firstStageIndex?: number;
}

export type SweepConfig =
  | (SweepBase & { readonly mode: 'concurrency'; readonly thinkTimeMs: number })
  | (SweepBase & { readonly mode: 'rate' } & ArrivalSettings);

export function sweepLevelName(mode: SweepMode, level: number): string {
  return `${mode === 'concurrency' ? 'c' : 'r'}=${level}`;
}

export function sweep(config: SweepConfig): Phase[] {
  const firstIndex = config.firstStageIndex ?? 0;
  return config.levels.map((level, i) => {
    const label = { name: sweepLevelName(config.mode, level), stageIndex: firstIndex + i };
    if (config.mode === 'concurrency') {
      return constantConcurrency({ users: level, thinkTimeMs: config.thinkTimeMs, ...config.perLevel }, label);
    }
    // Each level draws its own arrivals: one seed for all would repeat the same gap pattern, scaled.
    return constantRate({ ...config, rateRps: level, seed: mixSeed(config.seed, i), ...config.perLevel }, label);
  });
}
