/**
 * Closed loop, k6 `ramping-vus`: users follow the stages linearly from `startUsers` (k6 `startVUs`; ours
 * defaults to 0 so a first stage `{30s, 10}` is a ramp-up from nothing). The phase lasts as long as the
 * stages; `requests` can end it earlier. The runner adds users as the profile rises and retires them
 * (after their current request) as it falls.
 */
import type { Phase } from '../core/plan.js';
import { stagedProfile } from './stages.js';
import { MAIN_LABEL, type LoadStage, type PhaseLabel } from './types.js';

export interface RampingConcurrencyConfig {
  readonly startUsers: number;
  readonly stages: readonly LoadStage[];
  readonly thinkTimeMs: number;
  readonly requests: number | null;
}

export function rampingConcurrency(config: RampingConcurrencyConfig, label: PhaseLabel = MAIN_LABEL): Phase {
  const profile = stagedProfile(config.startUsers, config.stages, label.stageIndex);
  return {
    name: label.name,
    warmup: false,
    durationMs: profile.totalMs,
    requests: config.requests,
    load: { kind: 'closed', users: profile.breakpoints, thinkTimeMs: config.thinkTimeMs },
    stages: profile.labels,
  };
}
