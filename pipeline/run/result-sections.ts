/** Sections of run.json built at the end of a run: stages, resources, host. */
import { availableParallelism, cpus, hostname, platform, release, totalmem } from 'node:os';
import type { Phase } from '../core/plan.js';
import type { RunSummary, StageSummary } from '../core/run-result.js';
import { correlateResources, type CorrelationSamples } from '../../collectors/resources/correlation.js';
import type { WindowAccumulator } from '../sinks/window-points.js';
import { SummaryCollector } from './summary-collector.js';

/** run.json `resources`: the monitor's per-source summaries, correlation with 1 s windows, energy per token. */
export function resourcesSection(
  monitorSummary: Record<string, unknown> | undefined,
  notes: Record<string, unknown> | undefined,
  samples: CorrelationSamples,
  windows: WindowAccumulator,
  summary: RunSummary,
): Record<string, unknown> | undefined {
  if (!monitorSummary && !notes) return undefined;
  const section: Record<string, unknown> = { ...monitorSummary, ...notes };
  if (monitorSummary) {
    const performance = windows.all().map((point) => ({
      end_ms: point.time_ms,
      output_tps: Number(point.fields.output_tps ?? 0),
      ttft_p50_ms: point.fields.ttft_p50_ms === undefined ? null : Number(point.fields.ttft_p50_ms),
    }));
    section.correlation = correlateResources(samples, performance);
    const energy = monitorSummary.gpu_energy as { total_j?: number } | null | undefined;
    const outputTokens = summary.metrics.output_tokens ? summary.metrics.output_tokens.mean * summary.metrics.output_tokens.count : 0;
    if (energy?.total_j !== undefined && outputTokens > 0) section.energy_per_output_token_j = energy.total_j / outputTokens;
  }
  return section;
}

export function stageSummaries(phases: readonly Phase[], collectors: Map<number, SummaryCollector>): StageSummary[] {
  const stages: StageSummary[] = [];
  for (const phase of phases) {
    if (phase.warmup) continue;
    for (const label of phase.stages) {
      const collector = collectors.get(label.index) ?? new SummaryCollector();
      stages.push({
        name: label.name,
        index: label.index,
        phase: phase.name,
        ...(label.target !== undefined ? { target: label.target } : {}),
        ...collector.summary(),
      });
    }
  }
  return stages;
}

export function hostInfo(workers: number): Record<string, unknown> {
  const cpuList = cpus();
  return {
    hostname: hostname(),
    platform: `${platform()} ${release()}`,
    cpu_model: cpuList[0]?.model ?? 'unknown',
    cpu_cores: availableParallelism(),
    memory_bytes: totalmem(),
    node: process.version,
    workers,
  };
}

