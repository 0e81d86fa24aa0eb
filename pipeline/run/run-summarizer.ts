/**
 * The run's own numbers, kept as records arrive: a summary collector per stage (the run's summary is merged from
 * them at the end, SummaryCollector.merge says why), the send lag that judges the client, and the counts the
 * abort conditions read. This is what run.json `summary`, `stages` and `client_health` are made of, so the
 * coordinator keeps it itself rather than as a sink: the thresholds and the exit code depend on it.
 */
import type { RequestRecord } from '../core/record.js';
import type { RunSummary, StageSummary } from '../core/run-result.js';
import { SendLagTally } from './send-lag.js';
import { SummaryCollector, type RequestSlo } from './summary-collector.js';

/** A phase as far as its summaries go: the plan's Phase, or run-start.json's record of it. */
export interface PlannedPhase {
  readonly name: string;
  readonly warmup: boolean;
  readonly stages: ReadonlyArray<{ readonly name: string; readonly index: number; readonly target?: number }>;
}

export class RunSummarizer {
  readonly #stages = new Map<number, SummaryCollector>();
  readonly sendLag = new SendLagTally();
  #warmup = 0;
  #ok = 0;
  #errors = 0;

  constructor(private readonly slos: readonly RequestSlo[] = []) {}

  add(records: readonly RequestRecord[]): void {
    for (const record of records) {
      if (record.status === 'ok') this.#ok++;
      else if (record.status === 'error') this.#errors++;
      if (record.warmup) {
        this.#warmup++;
        continue;
      }
      this.sendLag.add(record);
      let stage = this.#stages.get(record.stage_index);
      if (!stage) this.#stages.set(record.stage_index, (stage = new SummaryCollector(this.slos)));
      stage.add(record);
    }
  }

  /** Finished requests so far, warmup included (what the abort conditions count). */
  counts(): { readonly ok: number; readonly errors: number } {
    return { ok: this.#ok, errors: this.#errors };
  }

  /** Non-warmup records so far. */
  get total(): number {
    let total = 0;
    for (const stage of this.#stages.values()) total += stage.total;
    return total;
  }

  summary(): RunSummary {
    const summary = SummaryCollector.merge(this.#stages.values(), this.slos).summary();
    summary.requests.warmup = this.#warmup;
    return summary;
  }

  /** One entry per labelled stage of the plan's non-warmup phases, in plan order (empty stages included). */
  stages(phases: readonly PlannedPhase[]): StageSummary[] {
    const stages: StageSummary[] = [];
    for (const phase of phases) {
      if (phase.warmup) continue;
      for (const label of phase.stages) {
        const collector = this.#stages.get(label.index) ?? new SummaryCollector(this.slos);
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
}
