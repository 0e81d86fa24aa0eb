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
    .option('--compare-stream', 'run the workload streaming and non-streaming and show both side by side');
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
            },
          });
          outcomes.push({ result, dir: prepared.dir });
        } finally {
          interrupt.dispose();
        }
        const signal = interrupt.received();
        if (signal) {
          printOutcomes(outcomes, Boolean(flags.json));
          process.exitCode = exitCodeOf(signal);
          return;
        }
      }
      printOutcomes(outcomes, Boolean(flags.json));
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

function printOutcomes(outcomes: readonly RunOutcome[], json: boolean): void {
  if (outcomes.length === 0) return;
  if (json) {
    const payload = outcomes.map(({ result, dir }) => ({ run_id: result.run_id, dir, status: result.status, valid: result.valid, summary: result.summary, thresholds: result.thresholds ?? [] }));
    process.stdout.write(JSON.stringify(payload.length === 1 ? payload[0] : payload, null, 2) + '\n');
    return;
  }
  for (const { result, dir } of outcomes) {
    if (outcomes.length > 1) process.stdout.write(`\n== ${result.scenario.workload && (result.scenario.workload as { stream?: boolean }).stream === false ? 'non-streaming' : 'streaming'} ==\n`);
    process.stdout.write(renderSummaryTable(result, dir) + '\n');
  }
  if (outcomes.length === 2) process.stdout.write('\n' + renderStreamComparison(outcomes[0]!, outcomes[1]!) + '\n');
}

function renderStreamComparison(streaming: RunOutcome, nonStreaming: RunOutcome): string {
  const rows: Array<[string, (o: RunOutcome) => number | undefined]> = [
    ['total_duration_ms p50', (o) => o.result.summary.metrics.total_duration_ms?.p50],
    ['total_duration_ms p95', (o) => o.result.summary.metrics.total_duration_ms?.p95],
    ['ttft_ms p50', (o) => o.result.summary.metrics.ttft_ms?.p50],
    ['req/s', (o) => o.result.summary.throughput.rps],
    ['output tok/s', (o) => o.result.summary.throughput.output_tps],
    ['error rate', (o) => o.result.summary.error_rate],
  ];
  const lines = ['streaming vs non-streaming (same workload):', 'metric'.padEnd(24) + 'streaming'.padStart(14) + 'non-streaming'.padStart(16)];
  for (const [name, pick] of rows) {
    const a = pick(streaming);
    const b = pick(nonStreaming);
    lines.push(name.padEnd(24) + (a === undefined ? '-' : a.toFixed(2)).padStart(14) + (b === undefined ? '-' : b.toFixed(2)).padStart(16));
  }
  lines.push('(non-streaming TTFT is derived from server figures where the engine reports them)');
  return lines.join('\n');
}
