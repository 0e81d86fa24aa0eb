/**
 * `llmbench merge RUN_DIR… --out DIR` (DESIGN §15, §16): the segments of one run (`llmbench run --segment I/N
 * --run-id ID`) into one run directory, written by the sinks a run uses (run directory, analysis and reports), with
 * summary and thresholds on the merged records. Thin: readSegments checks, mergeSegments writes, this prints.
 */
import { Command } from 'commander';
import { BenchError } from '../../pipeline/core/errors.js';
import { mergeSegments, readSegments } from '../../pipeline/sinks/merge-segments.js';
import { RunDirectorySink } from '../../pipeline/sinks/run-directory.js';
import { AnalyticsSink } from '../../analytics/analytics-sink.js';
import { renderSummaryTable } from '../summary-table.js';

interface MergeFlags {
  readonly out: string;
  readonly allowPartial?: boolean;
  readonly json?: boolean;
}

export function mergeCommand(): Command {
  return new Command('merge')
    .description('merge the run directories of one run\'s segments (run --segment I/N --run-id ID) into one run; thresholds are judged on the merged records (exit 99 on failure)')
    .argument('<run-dirs...>', 'each segment\'s run directory, every segment 1..N once')
    .requiredOption('--out <dir>', 'the merged run directory (must not hold a run)')
    .option('--allow-partial', 'merge the segments given even when some are missing (the merged run is marked invalid)')
    .option('--json', 'print the merged summary as JSON on stdout')
    .action(async (dirs: string[], flags: MergeFlags) => {
      const notice = (line: string) => process.stderr.write(`${line}\n`);
      const set = await readSegments(dirs, { allowPartial: Boolean(flags.allowPartial), onNotice: notice });
      const directory = new RunDirectorySink(flags.out);
      const sinks = [directory, new AnalyticsSink(flags.out, () => directory.writtenRecords(), { slos: set.analysisSlos })];
      const { result } = await mergeSegments(set, { sinks, onNotice: notice });
      if (flags.json) {
        process.stdout.write(JSON.stringify({ run_id: result.run_id, dir: flags.out, status: result.status, valid: result.valid, segments: result.segments, summary: result.summary, thresholds: result.thresholds ?? [] }, null, 2) + '\n');
      } else {
        process.stdout.write(`merged ${set.segments.length} of ${set.count} segments of run ${result.run_id}${set.missing.length ? ` (missing ${set.missing.join(', ')})` : ''}\n`);
        process.stdout.write(renderSummaryTable(result, flags.out) + '\n');
      }
      const failed = (result.thresholds ?? []).filter((threshold) => !threshold.ok);
      if (failed.length > 0) {
        throw new BenchError('THRESHOLDS_FAILED', `${failed.length} threshold(s) failed on the merged run: ${failed.map((t) => `${t.metric}: ${t.expression}`).join('; ')}`);
      }
    });
}
