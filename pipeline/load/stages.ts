/**
 * k6 stage semantics, shared by the ramping executors: the load starts at `startTarget` and each stage
 * moves linearly from the previous target to its own over its duration (a 0 s stage is a step). The
 * profile is continuous across stages, so a boundary never drains in-flight requests; stages only label
 * time windows for per-stage summaries.
 */
import type { StageLabel } from '../core/plan.js';
import type { LoadStage } from './types.js';

export interface StagedProfile {
  /** Breakpoints [offset ms, level]: the start, then the end of every stage. */
  readonly breakpoints: Array<readonly [number, number]>;
  readonly labels: StageLabel[];
  readonly totalMs: number;
}

/** Stage i is named `stage-<i+1>` (1-based, as people count them) and indexed from `firstIndex`. */
export function stagedProfile(startTarget: number, stages: readonly LoadStage[], firstIndex: number): StagedProfile {
  const breakpoints: Array<readonly [number, number]> = [[0, startTarget]];
  const labels: StageLabel[] = [];
  let offsetMs = 0;
  stages.forEach((stage, i) => {
    labels.push({ name: `stage-${i + 1}`, index: firstIndex + i, startMs: offsetMs, target: stage.target });
    offsetMs += stage.durationMs;
    breakpoints.push([offsetMs, stage.target]);
  });
  return { breakpoints, labels, totalMs: offsetMs };
}
