/**
 * Analysis and reports as a sink. While the run goes it keeps the windows, the resource samples and the in-flight
 * counter (a few values a second); the requests it reads back when the run closes, from what the run directory
 * wrote (`records`), so a long run holds each request's metric values once (its summary's), not also here
 * (bench/README.md, "Endurance"). Then it computes run.json `analysis` (analyze.ts) and writes report.md and
 * report.html into the run directory from the same run.json the run directory stores, as `llmbench report` would
 * from the directory. Sinks close in reverse order of registration (cli/run-sinks.ts): it closes before InfluxDB,
 * whose llm_run point then carries the analysis' headline, and before the run directory, whose run.json holds it.
 */
import { join } from 'node:path';
import type { RequestRecord } from '../pipeline/core/record.js';
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

  /**
   * @param records the run's records as written, read when the run closes (RunDirectorySink.writtenRecords for the
   *   run directory at `dir`).
   */
  constructor(
    private readonly dir: string,
    private readonly records: () => AsyncIterable<RequestRecord>,
    private readonly options: AnalysisOptions = {},
  ) {}

  write(event: RunEvent): void {
    if (event.kind === 'windows') this.#data.addWindows(event.windows);
    else if (event.kind === 'resources') this.#data.addResources(event.points);
    else if (event.kind === 'progress' && !event.progress.warmup) {
      const samples = this.#inFlight.get(event.progress.stage) ?? [];
      samples.push({ atMs: event.progress.nowMs, value: event.progress.inFlight });
      this.#inFlight.set(event.progress.stage, samples);
    }
  }

  async close(result: RunResult): Promise<RunSection> {
    for await (const record of this.records()) this.#data.addRecord(record);
    const data = this.#data.build();
    const analysis = analyzeRun(result, data, this.options, this.#inFlight);
    const analysed: RunResult = { ...result, analysis };
    await writeAtomically(join(this.dir, RUN_FILES.reportMd), renderMarkdownReport(analysed));
    await writeAtomically(join(this.dir, RUN_FILES.reportHtml), renderHtmlReport(analysed, data));
    return { analysis };
  }
}
