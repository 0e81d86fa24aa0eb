/**
 * Writes the run's reports into its run directory when the run closes (report.md, and report.html where a
 * renderer is registered), from the same run.json the run directory stores. Register it right after the run
 * directory: sinks close in reverse order, so it closes after those that add sections (analysis, InfluxDB) and
 * before the run directory, whose run.json marks the run complete.
 */
import { join } from 'node:path';
import type { RunResult } from '../../pipeline/core/run-result.js';
import type { RunSink } from '../../pipeline/core/sink.js';
import { writeAtomically } from '../../pipeline/sinks/run-directory.js';
import { RUN_FILES } from '../../pipeline/sinks/run-files.js';
import { renderMarkdownReport } from './markdown.js';

export class ReportSink implements RunSink {
  readonly name = 'report';

  constructor(private readonly dir: string) {}

  write(): void {}

  async close(result: RunResult): Promise<void> {
    await writeAtomically(join(this.dir, RUN_FILES.reportMd), renderMarkdownReport(result));
  }
}
