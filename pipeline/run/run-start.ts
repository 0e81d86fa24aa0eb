/** run-start.json (StartManifest): what the run is, written by the run directory before any load (DESIGN §6). */
import type { ExecutionPlan } from '../core/plan.js';
import { RUN_SCHEMA_VERSION, type SegmentInfo, type StartManifest, type WorkloadFingerprint } from '../core/run-result.js';
import type { RunIdentity } from '../core/sink.js';
import { toolVersion } from '../core/version.js';

export interface StartFacts {
  readonly identity: RunIdentity;
  readonly plan: ExecutionPlan;
  readonly scenario: StartManifest['scenario'];
  readonly host: Record<string, unknown>;
  readonly startedAt: Date;
  readonly fingerprint: WorkloadFingerprint | undefined;
  readonly segment: SegmentInfo | undefined;
}

export function startManifest({ identity, plan, scenario, host, startedAt, fingerprint, segment }: StartFacts): StartManifest {
  return {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: identity.runId,
    tool: { name: 'llmbench', version: toolVersion() },
    started_at: startedAt.toISOString(),
    scenario,
    ...(fingerprint ? { workload_fingerprint: fingerprint } : {}),
    target: { engine: plan.target.engine, url: plan.target.url, model: plan.target.model, ...(plan.target.api ? { api: plan.target.api } : {}) },
    host,
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      warmup: phase.warmup,
      stages: phase.stages.map((stage) => ({ name: stage.name, index: stage.index, ...(stage.target !== undefined ? { target: stage.target } : {}) })),
    })),
    ...(segment ? { segment } : {}),
  };
}
