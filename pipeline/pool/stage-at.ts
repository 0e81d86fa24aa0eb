/** The stage label in force `offsetMs` after a phase's start (the last one that has begun; the first before any). */
import type { Phase, StageLabel } from '../core/plan.js';

export function stageAt(phase: Phase, offsetMs: number): StageLabel {
  let current = phase.stages[0];
  for (const stage of phase.stages) if (stage.startMs <= offsetMs) current = stage;
  return current ?? { name: phase.name, index: 0, startMs: 0 };
}
