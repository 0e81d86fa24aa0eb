/**
 * `llmbench run [SCENARIO]`: a preset name or a YAML file, flags over it (DESIGN §15). Thin: prepareRun turns
 * flags into typed options, runSinks registers the sinks, runBenchmark runs, and the outcome is printed.
 */
import { Command, Option } from 'commander';
import { BenchError } from '../../pipeline/core/errors.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runBenchmark } from '../../pipeline/run/run-benchmark.js';
import { DEFAULT_USER_SEND_RATE_PER_S } from '../../pipeline/pool/dispatch-pacer.js';
import { createProgressDisplay } from '../progress.js';
import { addInfluxOptions } from '../influx-options.js';
import { renderSummaryTable } from '../summary-table.js';
import type { Comparison } from '../../pipeline/core/analysis.js';
import { compareRuns } from '../../analytics/compare.js';
import { loadSide } from '../../analytics/compare-sources.js';
import { renderCompareMarkdown } from '../../analytics/report/compare-markdown.js';
import { flagGiven, positiveInt, positiveRateOrInf } from '../parse-flags.js';
import { prepareRun } from '../prepare-run.js';
import type { RunFlags } from '../run-flags.js';
import { runSinks } from '../run-sinks.js';
import { exitCodeOf, onRunSignals } from '../run-signals.js';

interface RunOutcome {
  readonly result: RunResult;
  readonly dir: string;
}

export function runCommand(): Command {
  const command = new Command('run')
    .description('benchmark an engine: a preset or scenario file, with flags over it')
    .argument('[scenario]', 'a preset name (quick, stress, spike, endurance, sweep) or a YAML file (default: quick; a run changed by flags is named custom)')
    .option('--name <name>', 'the scenario name the run is filed under (trend groups runs by it)')
    .option('--engine <engine>', 'ollama | vllm | tgi | llamacpp | openai | sglang')
    .option('--url <url>', 'the engine base URL, e.g. http://127.0.0.1:8000')
    .option('--model <name>', 'the model the engine serves')
    .addOption(new Option('--api <api>', 'endpoint family (default: the engine\'s native API)').choices(['native', 'completions', 'chat']))
    .option('--concurrency <n>', 'closed loop: this many users')
    .option('--rate [rps]', 'open loop: requests per second (bare, on a sweep: its levels are requests/s)')
    .option('--arrival <process>', 'constant | poisson | gamma')
    .option('--burstiness <b>', 'gamma shape (1 = Poisson, < 1 burstier)')
    .option('--max-in-flight <n>', 'open loop cap; arrivals finding it full are recorded as dropped')
    .option('--stages <list>', 'ramping users, "DURATION:TARGET,…" e.g. "30s:10,10s:100"')
    .option('--rate-stages <list>', 'ramping requests/s, "DURATION:TARGET,…"')
    .option('--duration <d>', 'how long to send, e.g. 60s')
    .option('--requests <n>', 'how many requests to send')
    .option('--level-duration <d>', 'sweep: how long each level runs')
    .option('--level-requests <n>', 'sweep: requests per level (with --level-duration: whichever ends first)')
    .option('--repeats <n>', 'sweep: measure each level this many times')
    .option('--slo <expr>', 'e.g. "ttft_ms:p95<1000" (repeatable); on a sweep, search the highest load meeting them', collect, [])
    .option('--stop-on-saturation', 'end the level (sweep) or the run when latency and in-flight grow while throughput does not')
    .option('--warmup <n|d>', 'warmup requests (or a duration), excluded from statistics')
    .option('--think-time <d>', 'closed loop: pause between a user\'s requests')
    .option('--seed <n>', 'seed for arrivals and prompts')
    .option('--prompt-tokens <n>', 'synthetic prompt length in tokens')
    .option('--max-tokens <n>', 'output tokens per request (exact where the engine allows)')
    .option('--no-stream', 'non-streaming requests')
    .option('--compare-stream', 'run the workload streaming and non-streaming and show both side by side')
    .option('--dataset <file>', 'JSONL prompts, {"prompt": "…"} per line')
    .option('--api-key-env <var>', 'environment variable holding the engine API key')
    .option('--threshold <expr>', 'e.g. "ttft_ms:p95<2000" (repeatable); failing → exit 99', collect, [])
    .option('--out <dir>', 'the run directory (default runs/<run_id>)')
    .option('--workers <n>', 'worker threads (default: cores − 1)')
    .option('--user-send-rate <per-s>', `closed loop: most sends per second per worker thread, so users due together go out paced (default ${DEFAULT_USER_SEND_RATE_PER_S}; inf = none)`)
    .option('--gpu <mode>', 'auto | nvml | nvidia-smi | off | PROMETHEUS_URL', 'auto')
    .option('--monitor-interval <d>', 'resource sampling interval', '1s')
    .option('--no-monitor', 'no resource monitoring')
    .option('--server-metrics <mode>', 'auto | off | URL of the engine\'s Prometheus metrics', 'auto')
    .option('--engine-pid <pid>', 'sample this local engine process')
    .option('--engine-process <name>', 'sample the local engine process with this name')
    .option('--engine-container <name>', 'sample this Docker container')
    .option('--cold-start', 'start the engine container and measure time to healthy and first token')
    .option('--segment <I/N>', 'run segment I of N of the schedule (1-based; users and arrivals with index ≡ I−1 mod N); llmbench merge joins the segments')
    .option('--run-id <id>', 'the run id ([a-z0-9-]); agents of one run share it')
    .option('--start-at <epoch-ms>', 'begin the first measured phase (after the warmup) at this epoch time in ms; agents of one run share it, and a late agent starts at once and reports its lag')
    .option('--clock-offset-ms <ms>', 'with --start-at: this machine\'s clock offset from the shared reference as NTP reports it (reference − local), judged against the schedule-lag budget instead of the engine\'s Date header');
  addInfluxOptions(command);
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
        const prepared = await prepareRun(scenario, flags, { ...(stream !== undefined ? { stream } : {}), suffix });
        const display = await createProgressDisplay(flags.quiet || flags.json ? 'quiet' : process.stderr.isTTY ? 'tty' : 'lines');
        const notice = (line: string) => process.stderr.write(`${line}\n`);
        if (prepared.deferredThresholds > 0) {
          notice(`segment ${prepared.plan.segment!.index}/${prepared.plan.segment!.count}: its ${prepared.deferredThresholds} threshold(s) are judged by \`llmbench merge\` on the whole run, not on this segment's share`);
        }
        const { sinks, influx } = runSinks({ dir: prepared.dir, influx: prepared.influx, display, notice, analysis: prepared.analysis, stopOnSaturation: prepared.stopOnSaturation });
        const interrupt = onRunSignals(() =>
          `${prepared.dir} keeps what was written (llmbench report reads it as incomplete)` +
          (influx ? `; ${influx.unsentPoints()} records and points had not reached InfluxDB: llmbench push ${prepared.dir} replays the run` : ''),
        );
        try {
          const { result } = await runBenchmark(prepared.plan, {
            ...prepared.options,
            sinks,
            signal: interrupt.signal,
            // Analysis and --stop-on-saturation read the in-flight counter from progress events: at least once a second.
            progressIntervalMs: Math.min(display.intervalMs, 1000),
            onNotice: notice,
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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
