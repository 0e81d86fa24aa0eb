/** Progress events while a phase runs: where the load is (phase, stage, target) and the pool's in-flight count. */
import type { Clock } from '../core/clock.js';
import type { Phase } from '../core/plan.js';
import type { RunEvent } from '../core/sink.js';

export function startProgress(
  phase: Phase,
  phaseStartMs: number,
  inFlight: () => number,
  clock: Clock,
  intervalMs: number,
  emit: (event: RunEvent) => void,
): { stop(): void } {
  const tick = () => {
    const nowMs = clock.nowMs();
    const elapsedMs = Math.max(nowMs - phaseStartMs, 0);
    let stage = phase.stages[0];
    for (const label of phase.stages) if (label.startMs <= elapsedMs) stage = label;
    emit({
      kind: 'progress',
      progress: {
        phase: phase.name,
        warmup: phase.warmup,
        stage: phase.warmup ? 'warmup' : (stage?.name ?? phase.name),
        target: stage?.target,
        loadKind: phase.load.kind,
        nowMs,
        elapsedMs,
        totalMs: phase.durationMs,
        requestBudget: phase.requests,
        inFlight: inFlight(),
      },
    });
  };
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
    },
  };
}
