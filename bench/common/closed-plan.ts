/** A closed-loop plan for benches: N users, a request budget, one stage. */
import type { ExecutionPlan } from '../../pipeline/core/plan.js';
import type { EngineKind } from '../../pipeline/core/engine.js';

export function closedPlan(options: {
  engine: EngineKind;
  url: string;
  model?: string;
  users: number;
  requests: number;
  maxTokens: number;
  promptTokens?: number;
  stream?: boolean;
  /** Warmup requests before the measured phase (JIT, connections); default one per user. */
  warmupRequests?: number;
}): ExecutionPlan {
  const warmupRequests = options.warmupRequests ?? options.users;
  return {
    target: { engine: options.engine, url: options.url, model: options.model ?? 'sim' },
    workload: {
      promptTokens: options.promptTokens ?? 32,
      maxTokens: options.maxTokens,
      stream: options.stream ?? true,
      seed: 1,
      connectTimeoutMs: 10_000,
      firstTokenTimeoutMs: 120_000,
      idleTimeoutMs: 60_000,
    },
    phases: [
      ...(warmupRequests > 0
        ? [
            {
              name: 'warmup',
              warmup: true,
              durationMs: null,
              requests: warmupRequests,
              load: { kind: 'closed' as const, users: [[0, options.users]] as Array<[number, number]>, thinkTimeMs: 0 },
              stages: [{ name: 'warmup', index: -1, startMs: 0 }],
            },
          ]
        : []),
      {
        name: 'main',
        warmup: false,
        durationMs: null,
        requests: options.requests,
        load: { kind: 'closed', users: [[0, options.users]], thinkTimeMs: 0 },
        stages: [{ name: 'main', index: 0, startMs: 0, target: options.users }],
      },
    ],
    abort: { maxErrors: null, maxErrorRate: null, minRequestsForRate: 0 },
  };
}
