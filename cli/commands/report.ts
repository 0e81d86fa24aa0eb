/** `llmbench report RUN_DIR [--format md|json|csv]`: re-render what a run directory holds. */
import { Command, Option } from 'commander';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { requestsCsv } from '../../analytics/report/csv.js';
import { renderMarkdownReport } from '../../analytics/report/markdown.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { analyzeRun } from '../../analytics/analyze.js';
import { runDataFromDirectory } from '../../analytics/run-data-source.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('print the report of a run directory (one that never ended is read as incomplete)')
    .argument('<run-dir>', 'a directory written by `llmbench run`')
    .addOption(new Option('--format <format>', 'md (report), json (run.json) or csv (one row per request)').choices(['md', 'json', 'csv']).default('md'))
    .action(async (dir: string, options: { format: 'md' | 'json' | 'csv' }) => {
      const run = await readRunDirectory(dir, { onWarning: (line) => process.stderr.write(`warning: ${line}\n`) });
      if (options.format === 'json' || options.format === 'md') {
        // The analysis is recomputed from what the directory holds, with the SLOs the run was given.
        const data = await runDataFromDirectory(run);
        const analysed: RunResult = { ...run.result, analysis: analyzeRun(run.result, data, { slos: run.result.analysis?.slo?.slos ?? [] }) };
        process.stdout.write(options.format === 'json' ? JSON.stringify(analysed, null, 2) + '\n' : renderMarkdownReport(analysed));
      }
      else {
        const records: RequestRecord[] = [];
        for await (const record of run.records()) records.push(record);
        process.stdout.write(requestsCsv(records));
      }
    });
}
