/**
 * Open loop whose rate follows k6-style stages (k6 `ramping-arrival-rate`: `startRate`, then linear ramps
 * to each stage's target). Arrivals come from inverting the cumulative rate, so the count in any window is
 * the area under the ramp there (exactly, for `constant`; in expectation, for Poisson and gamma).
 */
import type { Phase } from '../core/plan.js';
import { arrivalOffsetsMs } from './arrivals.js';
import { stagedProfile } from './stages.js';
import { MAIN_LABEL, type ArrivalSettings, type LoadStage, type PhaseLabel } from './types.js';

export interface RampingRateConfig extends ArrivalSettings {
  readonly startRateRps: number;
  /** Targets in requests/s. */
  readonly stages: readonly LoadStage[];
  readonly requests: number | null;
}

export function rampingRate(config: RampingRateConfig, label: PhaseLabel = MAIN_LABEL): Phase {
  const profile = stagedProfile(config.startRateRps, config.stages, label.stageIndex);
  const arrivalsMs = arrivalOffsetsMs({
    process: config.arrival,
    burstiness: config.burstiness,
    seed: config.seed,
    profile: profile.breakpoints,
    durationMs: profile.totalMs,
    maxArrivals: config.requests,
  });
  return {
    name: label.name,
    warmup: false,
    durationMs: profile.totalMs,
    requests: config.requests,
    load: { kind: 'open', arrivalsMs, maxInFlight: config.maxInFlight },
    stages: profile.labels,
  };
}
