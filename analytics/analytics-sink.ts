/**
 * Analysis and reports as a sink: it keeps what the run produces in compact columns (run-data.ts), and when the
 * run closes it computes run.json `analysis` (analyze.ts) and writes report.md and report.html into the run
 * directory from the same run.json the run directory stores. Sinks close in reverse order of registration
 * (cli/run-sinks.ts): it closes before InfluxDB, whose llm_run point then carries the analysis' headline, and
 * before the run directory, whose run.json holds it.
 */
import { join } from 'node:path';
import type { RunResult } from '../pipeline/core/run-result.js';
import type { RunEvent, RunSection, RunSink } from '../pipeline/core/sink.js';
import { writeAtomically } from '../pipeline/sinks/run-directory.js';
import { RUN_FILES } from '../pipeline/sinks/run-files.js';
import { analyzeRun, type AnalysisOptions } from './analyze.js';
import { renderHtmlReport } from './report/html.js';
import { renderMarkdownReport } from './report/markdown.js';
import { RunDataBuilder } from './run-data.js';

export class AnalyticsSink implements RunSink {
  readonly name = 'analytics';
  readonly #data = new RunDataBuilder();
  /** The pool's in-flight counter as the progress events read it, per stage: Little's law's L (scaling.ts). */
  readonly #inFlight = new Map<string, Array<{ atMs: number; value: number }>>();

  constructor(
    private readonly dir: string,
    private readonly options: AnalysisOptions = {},
  ) {}

  write(event: RunEvent): void {
    if (event.kind === 'records') for (const record of event.records) this.#data.addRecord(record);
    else if (event.kind === 'windows') this.#data.addWindows(event.windows);
    else if (event.kind === 'resources') this.#data.addResources(event.points);
    else if (event.kind === 'progress' && !event.progress.warmup) {
      const samples = this.#inFlight.get(event.progress.stage) ?? [];
      samples.push({ atMs: event.progress.nowMs, value: event.progress.inFlight });
      this.#inFlight.set(event.progress.stage, samples);
    }
  }

  async close(result: RunResult): Promise<RunSection> {
    const data = this.#data.build();
    const analysis = analyzeRun(result, data, this.options, this.#inFlight);
    const analysed: RunResult = { ...result, analysis };
    await writeAtomically(join(this.dir, RUN_FILES.reportMd), renderMarkdownReport(analysed));
    await writeAtomically(join(this.dir, RUN_FILES.reportHtml), renderHtmlReport(analysed, data));
    return { analysis };
  }
}
