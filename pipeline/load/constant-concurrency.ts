/** Closed loop, k6 `constant-vus`: N users, each sends, waits for the whole answer, thinks, sends again. */
import type { Phase } from '../core/plan.js';
import { MAIN_LABEL, type PhaseLabel, type StopConditions } from './types.js';

export interface ConstantConcurrencyConfig extends StopConditions {
  readonly users: number;
  readonly thinkTimeMs: number;
}

export function constantConcurrency(config: ConstantConcurrencyConfig, label: PhaseLabel = MAIN_LABEL): Phase {
  return {
    name: label.name,
    warmup: false,
    durationMs: config.durationMs,
    requests: config.requests,
    load: { kind: 'closed', users: [[0, config.users]], thinkTimeMs: config.thinkTimeMs },
    stages: [{ name: label.name, index: label.stageIndex, startMs: 0, target: config.users }],
  };
}
