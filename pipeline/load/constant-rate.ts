/**
 * Open loop at a fixed mean rate (k6 `constant-arrival-rate`, vLLM `--request-rate`): requests arrive on
 * schedule whatever the server does; spacing follows the arrival process (constant, Poisson, gamma).
 */
import type { Phase } from '../core/plan.js';
import { arrivalOffsetsMs } from './arrivals.js';
import { MAIN_LABEL, type ArrivalSettings, type PhaseLabel, type StopConditions } from './types.js';

export interface ConstantRateConfig extends StopConditions, ArrivalSettings {
  readonly rateRps: number;
}

export function constantRate(config: ConstantRateConfig, label: PhaseLabel = MAIN_LABEL): Phase {
  const arrivalsMs = arrivalOffsetsMs({
    process: config.arrival,
    burstiness: config.burstiness,
    seed: config.seed,
    profile: [[0, config.rateRps]],
    durationMs: config.durationMs,
    maxArrivals: config.requests,
  });
  return {
    name: label.name,
    warmup: false,
    durationMs: config.durationMs,
    requests: config.requests,
    load: { kind: 'open', arrivalsMs, maxInFlight: config.maxInFlight },
    stages: [{ name: label.name, index: label.stageIndex, startMs: 0, target: config.rateRps }],
  };
}
