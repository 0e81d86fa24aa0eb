/** `llmbench report RUN_DIR [--format md|json|csv]`: re-render what a run directory holds. */
import { Command, Option } from 'commander';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { requestsCsv } from '../../analytics/report/csv.js';
import { renderMarkdownReport } from '../../analytics/report/markdown.js';
import type { RequestRecord } from '../../pipeline/core/record.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('print the report of a run directory (one that never ended is read as incomplete)')
    .argument('<run-dir>', 'a directory written by `llmbench run`')
    .addOption(new Option('--format <format>', 'md (report), json (run.json) or csv (one row per request)').choices(['md', 'json', 'csv']).default('md'))
    .action(async (dir: string, options: { format: 'md' | 'json' | 'csv' }) => {
      const run = await readRunDirectory(dir, { onWarning: (line) => process.stderr.write(`warning: ${line}\n`) });
      if (options.format === 'json') process.stdout.write(JSON.stringify(run.result, null, 2) + '\n');
      else if (options.format === 'md') process.stdout.write(renderMarkdownReport(run.result));
      else {
        const records: RequestRecord[] = [];
        for await (const record of run.records()) records.push(record);
        process.stdout.write(requestsCsv(records));
      }
    });
}
