/** `llmbench report RUN_DIR [--format md|json|csv]`: re-render what a run directory holds. */
import { Command, Option } from 'commander';
import { readRequestRecords, readRunResult } from '../../analytics/run-reader.js';
import { requestsCsv } from '../../analytics/report/csv.js';
import { renderMarkdownReport } from '../../analytics/report/markdown.js';
import type { RequestRecord } from '../../pipeline/core/record.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('print the report of a run directory')
    .argument('<run-dir>', 'a directory written by `llmbench run`')
    .addOption(new Option('--format <format>', 'md (report), json (run.json) or csv (one row per request)').choices(['md', 'json', 'csv']).default('md'))
    .action(async (dir: string, options: { format: 'md' | 'json' | 'csv' }) => {
      const result = await readRunResult(dir);
      if (options.format === 'json') process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else if (options.format === 'md') process.stdout.write(renderMarkdownReport(result));
      else {
        const records: RequestRecord[] = [];
        for await (const record of readRequestRecords(dir)) records.push(record);
        process.stdout.write(requestsCsv(records));
      }
    });
}
