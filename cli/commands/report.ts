/**
 * `llmbench report RUN_DIR [--format md|json|csv|html] [--out FILE]`: re-render what a run directory holds; with
 * `--influx-url …`, `llmbench report RUN_ID`: the same report of a run read back from InfluxDB (analytics/flux-run.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { analyzeRun } from '../../analytics/analyze.js';
import { readRunFromFlux } from '../../analytics/flux-run.js';
import type { RunData } from '../../analytics/run-data.js';
import { requestsCsv } from '../../analytics/report/csv.js';
import { renderHtmlReport } from '../../analytics/report/html.js';
import { renderMarkdownReport } from '../../analytics/report/markdown.js';
import { runDataFromDirectory } from '../../analytics/run-data-source.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { fluxSourceOf } from '../flux-source-of.js';
import { addInfluxOptions, type InfluxFlags } from '../influx-options.js';

type ReportFormat = 'md' | 'json' | 'csv' | 'html';

export function reportCommand(): Command {
  const command = new Command('report')
    .description('print the report of a run directory (one that never ended is read as incomplete), or with --influx-url of a run in InfluxDB')
    .argument('<run>', 'a directory written by `llmbench run`; with --influx-url, a run id')
    .addOption(
      new Option('--format <format>', 'md (report), json (run.json), csv (one row per request) or html (the self-contained page with charts)')
        .choices(['md', 'json', 'csv', 'html'])
        .default('md'),
    )
    .option('--out <file>', 'write to FILE instead of stdout');
  addInfluxOptions(command);
  return command.action(async (run: string, options: { format: ReportFormat; out?: string } & InfluxFlags) => {
    const source = await fluxSourceOf(options);
    const text = source ? await renderFromFlux(await readRunFromFlux(source, run), options.format) : await renderDirectory(run, options.format);
    if (options.out !== undefined) await writeFile(options.out, text);
    else process.stdout.write(text);
  });
}

async function renderDirectory(dir: string, format: ReportFormat): Promise<string> {
  const run = await readRunDirectory(dir, { onWarning: (line) => process.stderr.write(`warning: ${line}\n`) });
  if (format === 'csv') {
    const records: RequestRecord[] = [];
    for await (const record of run.records()) records.push(record);
    return requestsCsv(records);
  }
  // The analysis is recomputed from what the directory holds (a run that never ended has none in its run.json).
  return render(run.result, await runDataFromDirectory(run), format);
}

function renderFromFlux(run: { result: RunResult; data: RunData; records: readonly RequestRecord[] }, format: ReportFormat): string {
  return format === 'csv' ? requestsCsv([...run.records]) : render(run.result, run.data, format);
}

/** md, json or html, with the analysis recomputed for the SLOs the run was given. */
function render(stored: RunResult, data: RunData, format: Exclude<ReportFormat, 'csv'>): string {
  const result: RunResult = { ...stored, analysis: analyzeRun(stored, data, { slos: stored.slos ?? stored.analysis?.slo?.slos ?? [] }) };
  if (format === 'json') return JSON.stringify(result, null, 2) + '\n';
  return format === 'html' ? renderHtmlReport(result, data) : renderMarkdownReport(result);
}
