/** `llmbench report RUN_DIR [--format md|json|csv|html] [--out FILE]`: re-render what a run directory holds. */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { analyzeRun } from '../../analytics/analyze.js';
import { requestsCsv } from '../../analytics/report/csv.js';
import { renderHtmlReport } from '../../analytics/report/html.js';
import { renderMarkdownReport } from '../../analytics/report/markdown.js';
import { runDataFromDirectory } from '../../analytics/run-data-source.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';

type ReportFormat = 'md' | 'json' | 'csv' | 'html';

export function reportCommand(): Command {
  return new Command('report')
    .description('print the report of a run directory (one that never ended is read as incomplete)')
    .argument('<run-dir>', 'a directory written by `llmbench run`')
    .addOption(
      new Option('--format <format>', 'md (report), json (run.json), csv (one row per request) or html (the self-contained page with charts)')
        .choices(['md', 'json', 'csv', 'html'])
        .default('md'),
    )
    .option('--out <file>', 'write to FILE instead of stdout')
    .action(async (dir: string, options: { format: ReportFormat; out?: string }) => {
      const run = await readRunDirectory(dir, { onWarning: (line) => process.stderr.write(`warning: ${line}\n`) });
      const text = await render(run, options.format);
      if (options.out !== undefined) await writeFile(options.out, text);
      else process.stdout.write(text);
    });
}

async function render(run: Awaited<ReturnType<typeof readRunDirectory>>, format: ReportFormat): Promise<string> {
  if (format !== 'csv') {
    // The analysis is recomputed from what the directory holds (a run that never ended has none in its
    // run.json), with the SLOs the run was given.
    const data = await runDataFromDirectory(run);
    const result: RunResult = { ...run.result, analysis: analyzeRun(run.result, data, { slos: run.result.analysis?.slo?.slos ?? [] }) };
    if (format === 'json') return JSON.stringify(result, null, 2) + '\n';
    return format === 'html' ? renderHtmlReport(result, data) : renderMarkdownReport(result);
  }
  const records: RequestRecord[] = [];
  for await (const record of run.records()) records.push(record);
  return requestsCsv(records);
}
