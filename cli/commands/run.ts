/**
 * `llmbench run [SCENARIO]`: a preset name or a YAML file, flags over it (DESIGN §15). Thin: runOnce (run-once.ts:
 * prepareRun, runSinks, runBenchmark, shared with `llmbench schedule`) runs it, Ctrl-C and SIGTERM stop it
 * (run-signals.ts), and the outcome is printed.
 */
import { Command } from 'commander';
import { BenchError } from '../../pipeline/core/errors.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import type { InfluxDbSink } from '../../pipeline/sinks/influxdb.js';
import { createProgressDisplay } from '../progress.js';
import { renderSummaryTable } from '../summary-table.js';
import type { Comparison } from '../../pipeline/core/analysis.js';
import { compareRuns } from '../../analytics/compare.js';
import { loadSide } from '../../analytics/compare-sources.js';
import { renderCompareMarkdown } from '../../analytics/report/compare-markdown.js';
import { flagGiven, positiveInt, positiveRateOrInf } from '../parse-flags.js';
import type { RunFlags } from '../run-flags.js';
import { addRunOptions } from '../run-options.js';
import { runOnce } from '../run-once.js';
import { exitCodeOf, onRunSignals } from '../run-signals.js';

interface RunOutcome {
  readonly result: RunResult;
  readonly dir: string;
}

export function runCommand(): Command {
  const command = new Command('run')
    .description('benchmark an engine: a preset or scenario file, with flags over it')
    .argument('[scenario]', 'a preset name (quick, stress, spike, endurance, sweep) or a YAML file (default: quick; a run changed by flags is named custom)')
    .option('--out <dir>', 'the run directory (default runs/<run_id>)')
    .option('--compare-stream', 'run the workload streaming and non-streaming and show both side by side')
    .option('--segment <I/N>', 'run segment I of N of the schedule (1-based; users and arrivals with index ≡ I−1 mod N); llmbench merge joins the segments')
    .option('--run-id <id>', 'the run id ([a-z0-9-]); agents of one run share it')
    .option('--start-at <epoch-ms>', 'begin the first measured phase (after the warmup) at this epoch time in ms; agents of one run share it, and a late agent starts at once and reports its lag')
    .option('--clock-offset-ms <ms>', 'with --start-at: this machine\'s clock offset from the shared reference as NTP reports it (reference − local), judged against the schedule-lag budget instead of the engine\'s Date header');
  addRunOptions(command);
  command
    .option('--json', 'print the run summary as JSON on stdout at the end')
    .option('--quiet', 'no progress output')
    .action(async (scenario: string | undefined, flags: RunFlags, self: Command) => {
      flags.streamGiven = flagGiven(self, 'stream');
      if (flags.workers !== undefined) positiveInt(flags.workers, '--workers');
      if (flags.userSendRate !== undefined) positiveRateOrInf(flags.userSendRate, '--user-send-rate');
      const streamModes = flags.compareStream ? [true, false] : [undefined];
      const outcomes: RunOutcome[] = [];
      for (const stream of streamModes) {
        const suffix = streamModes.length > 1 ? (stream ? '-stream' : '-no-stream') : '';
        const display = await createProgressDisplay(flags.quiet || flags.json ? 'quiet' : process.stderr.isTTY ? 'tty' : 'lines');
        const notice = (line: string) => process.stderr.write(`${line}\n`);
        let dir: string | undefined;
        let influx: InfluxDbSink | undefined;
        const interrupt = onRunSignals(() =>
          `${dir ?? 'the run directory'} keeps what was written (llmbench report reads it as incomplete)` +
          (influx ? `; ${influx.unsentPoints()} records and points had not reached InfluxDB: llmbench push ${dir} replays the run` : ''),
        );
        try {
          const { result, prepared } = await runOnce(scenario, flags, {
            ...(stream !== undefined ? { stream } : {}),
            suffix,
            display,
            notice,
            signal: interrupt.signal,
            onPrepared: (prepared, sink) => {
              dir = prepared.dir;
              influx = sink;
              if (prepared.deferredThresholds > 0) {
                notice(`segment ${prepared.plan.segment!.index}/${prepared.plan.segment!.count}: its ${prepared.deferredThresholds} threshold(s) are judged by \`llmbench merge\` on the whole run, not on this segment's share`);
              }
            },
          });
          outcomes.push({ result, dir: prepared.dir });
        } finally {
          interrupt.dispose();
        }
        const signal = interrupt.received();
        if (signal) {
          await printOutcomes(outcomes, Boolean(flags.json));
          process.exitCode = exitCodeOf(signal);
          return;
        }
      }
      await printOutcomes(outcomes, Boolean(flags.json));
      const failed = outcomes.flatMap((outcome) => outcome.result.thresholds ?? []).filter((threshold) => !threshold.ok);
      if (failed.length > 0) {
        throw new BenchError('THRESHOLDS_FAILED', `${failed.length} threshold(s) failed: ${failed.map((t) => `${t.metric}: ${t.expression}`).join('; ')}`);
      }
      const ended = outcomes.find((outcome) => outcome.result.status !== 'completed');
      if (ended?.result.status === 'failed') throw new BenchError('INTERNAL', `the run failed: ${ended.result.abort_reason}`);
      // An abort condition (error count or rate) is a failed run for CI, like a failed threshold.
      if (ended) throw new BenchError('THRESHOLDS_FAILED', `the run was aborted: ${ended.result.abort_reason}`);
    });
  return command;
}

async function printOutcomes(outcomes: readonly RunOutcome[], json: boolean): Promise<void> {
  if (outcomes.length === 0) return;
  // --compare-stream: the two modes side by side in compare's shape (base: streaming, candidate: non-streaming).
  const comparison = outcomes.length === 2 ? await compareModes(outcomes[0]!, outcomes[1]!) : undefined;
  if (json) {
    const payload = outcomes.map(({ result, dir }) => ({
      run_id: result.run_id, dir, status: result.status, valid: result.valid, summary: result.summary, thresholds: result.thresholds ?? [], analysis: result.analysis ?? null,
    }));
    process.stdout.write(JSON.stringify(payload.length === 1 ? payload[0] : { runs: payload, comparison }, null, 2) + '\n');
    return;
  }
  for (const { result, dir } of outcomes) {
    if (outcomes.length > 1) process.stdout.write(`\n== ${(result.scenario.workload as { stream?: boolean } | undefined)?.stream === false ? 'non-streaming' : 'streaming'} ==\n`);
    process.stdout.write(renderSummaryTable(result, dir) + '\n');
  }
  if (comparison) {
    process.stdout.write('\n== streaming (base) against non-streaming (candidate), same workload otherwise ==\n');
    process.stdout.write(renderCompareMarkdown(comparison));
    process.stdout.write('(non-streaming TTFT is derived from server figures where the engine reports them)\n');
  }
}

async function compareModes(streaming: RunOutcome, nonStreaming: RunOutcome): Promise<Comparison> {
  const [base, cand] = await Promise.all([loadSide(streaming.dir), loadSide(nonStreaming.dir)]);
  // They differ in `stream` by construction; that is the comparison asked for.
  return compareRuns(base, cand, { allowDifferentWorkload: true });
}
