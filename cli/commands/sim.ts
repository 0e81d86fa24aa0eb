/**
 * `llmbench sim`: runs the engine simulator (DESIGN §9, §15) until SIGINT/SIGTERM. The first stdout line is
 * exactly `listening on http://HOST:PORT`, so scripts can wait for it and read the URL; anything else goes
 * to stderr. Thin over startSimulator(); flag problems are UsageErrors (exit 2) naming the flag.
 */
import { Command, Option } from 'commander';
import { parseDurationMs } from '../../pipeline/core/clock.js';
import { UsageError } from '../../pipeline/core/errors.js';
import { numberOrInf } from '../parse-flags.js';
import { describeServerTuning, tuneServerProcess } from '../../pipeline/tuning/process-tuning.js';
import { warmSimulator } from '../sim-warmup.js';
import type { Faults, PerfModel, SimEngine, SimulatorOptions } from '../../simulator/index.js';
import { ENGINE_KINDS as SIM_ENGINES } from '../../pipeline/core/engine.js';

/** Numeric flags: commander attribute → where it goes in SimulatorOptions. */
const PERF_FLAGS: ReadonlyArray<readonly [flag: string, key: keyof PerfModel, help: string]> = [
  ['--slots <n>', 'slots', 'sequences decoded together; more requests queue'],
  ['--prefill-ms-per-token <ms>', 'prefillMsPerToken', 'prefill cost per prompt token'],
  ['--decode-step-ms <ms>', 'decodeStepBaseMs', 'fixed cost of one engine step'],
  ['--decode-ms-per-seq <ms>', 'decodeMsPerSequence', 'extra step cost per sequence in the batch'],
  ['--max-batched-tokens <n>', 'maxBatchedTokens', 'tokens one step may process (chunked prefill)'],
  ['--kv-cache-tokens <n>', 'kvCacheTokens', 'KV-cache capacity in tokens'],
  ['--max-model-len <n>', 'maxModelLen', 'context length (prompt + output)'],
  ['--jitter <fraction>', 'jitterFraction', 'step time jitter, uniform ±fraction'],
  ['--cold-load-ms <ms>', 'coldLoadMs', 'model load time on first use (Ollama)'],
  ['--tokens-per-chunk <n>', 'tokensPerChunk', 'tokens merged per streamed chunk (vLLM/SGLang stream_interval)'],
  ['--natural-length <n>', 'naturalLengthTokens', 'tokens after which the model stops unless forced to N'],
  ['--max-in-flight <n>', 'maxInFlight', 'requests in the engine above which new ones are refused'],
];

const FAULT_FLAGS: ReadonlyArray<readonly [flag: string, key: keyof Faults, help: string]> = [
  ['--error-rate <p>', 'errorRate', 'probability of answering with an error status'],
  ['--error-status <code>', 'errorStatus', 'status of injected errors (default 500)'],
  ['--disconnect-rate <p>', 'disconnectRate', 'probability of destroying the socket mid-stream'],
  ['--stall-rate <p>', 'stallRate', 'probability of a mid-stream stall'],
  ['--stall-ms <ms>', 'stallMs', 'length of a stall'],
  ['--malformed-rate <p>', 'malformedRate', 'probability of one invalid-JSON event mid-stream'],
  ['--mid-stream-error-rate <p>', 'midStreamErrorRate', "probability of the engine's error event after a 200"],
  ['--slow-headers-ms <ms>', 'slowHeadersMs', 'hold the response headers this long'],
  ['--slow-headers-rate <p>', 'slowHeadersRate', 'probability of slow headers (default 1 with --slow-headers-ms)'],
];

/** Option path in SimOptionError → the flag that sets it, so errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  engine: '--engine',
  host: '--host',
  port: '--port',
  model: '--model',
  seed: '--seed',
  'fixed.ttftMs': '--ttft-ms',
  'fixed.itlMs': '--itl-ms',
  ...Object.fromEntries(PERF_FLAGS.map(([flag, key]) => [`perf.${key}`, flag.split(' ')[0]!])),
  ...Object.fromEntries(FAULT_FLAGS.map(([flag, key]) => [`faults.${key}`, flag.split(' ')[0]!])),
};

export function simCommand(): Command {
  const command = new Command('sim')
    .description('Run a simulated inference engine (real HTTP, faithful wire format, batching model, fault injection)')
    .requiredOption('--engine <engine>', `dialect to speak: ${SIM_ENGINES.join(', ')}`)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '0')
    .option('--model <name>', 'served model name', 'sim')
    .option('--seed <n>', 'seed for jitter, faults and generated text', '1')
    .option('--ttft-ms <ms>', 'fixed-latency mode: time to first token (with --itl-ms)')
    .option('--itl-ms <ms>', 'fixed-latency mode: time between tokens (with --ttft-ms)')
    .option('--slowdown <after:for:factor>', 'fixed-latency mode: requests arriving AFTER..AFTER+FOR after start are FACTOR× slower, e.g. 20s:10s:3')
    .option('--per-request-metrics', 'vLLM --enable-per-request-metrics: a `metrics` object on usage chunks')
    .option('--no-warmup', 'serve at once, without first warming the hot paths on a throwaway server')
    // addCommand() does not pass the program's exitOverride down: without this a missing --engine would
    // process.exit(1) inside commander instead of reaching main()'s usage-error mapping (exit 2).
    .exitOverride();
  for (const [flag, , help] of [...PERF_FLAGS, ...FAULT_FLAGS]) command.addOption(new Option(flag, help));
  return command.action(async (flags: Record<string, string | boolean | undefined>) => {
    const options = toOptions(flags);
    // Loaded on use: other commands should not pay for importing the simulator.
    const { SimOptionError, resolveSimOptions, startSimulator } = await import('../../simulator/index.js');
    const invalid = (error: unknown): never => {
      if (error instanceof SimOptionError) {
        const lines = error.problems.map((p) => `  ${FLAG_OF[p.path] ?? p.path}: ${p.message}`);
        throw new UsageError(`invalid sim flags:\n${lines.join('\n')}`, { hint: 'run `llmbench sim --help` for the flags and their units' });
      }
      throw error;
    };
    try {
      resolveSimOptions(options); // bad flags are reported before any warmup runs
    } catch (error) {
      invalid(error);
    }
    // Only an optimisation: if it fails, say so and serve anyway.
    const warmup = flags.warmup === false
      ? undefined
      : await warmSimulator(options).catch((error: unknown) => {
          process.stderr.write(`warmup skipped: ${(error as Error).message}\n`);
          return undefined;
        });
    const sim = await startSimulator(options).catch(invalid);
    // The simulator stamps the ground truth the client is judged against: it gets the CPU ahead of the client's
    // workers and never preempts them (pipeline/tuning/process-tuning.ts).
    const tuning = await tuneServerProcess();
    process.stdout.write(`listening on ${sim.url}\n`);
    for (const line of describeServerTuning(tuning)) process.stderr.write(`${line}\n`);
    if (warmup) process.stderr.write(`warmed up: ${warmup.ok}/${warmup.requests} streamed requests on a throwaway server in ${Math.round(warmup.elapsedMs)} ms\n`);
    const mode = options.fixed ? `fixed latency: ttft ${options.fixed.ttftMs} ms, itl ${options.fixed.itlMs} ms` : 'continuous-batching model';
    process.stderr.write(`simulating ${options.engine} (model "${options.model}", ${mode}); ground truth at ${sim.url}/__sim/requests; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void sim.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
}

/** Turns the flags into SimulatorOptions; malformed numbers are UsageErrors naming the flag. */
export function toOptions(flags: Record<string, string | boolean | undefined>): SimulatorOptions {
  const engine = String(flags.engine);
  if (!(SIM_ENGINES as readonly string[]).includes(engine)) {
    throw new UsageError(`--engine must be one of ${SIM_ENGINES.join(', ')}, got "${engine}"`);
  }
  const number = (attribute: string, flag: string): number | undefined => {
    const value = flags[attribute];
    if (value === undefined) return undefined;
    const text = String(value).trim();
    // Plain decimals and "inf"/"Infinity" (for --max-in-flight); nothing else.
    const parsed = numberOrInf(text);
    if (Number.isNaN(parsed)) throw new UsageError(`${flag} expects a number, got "${text}"`);
    return parsed;
  };
  const ttftMs = number('ttftMs', '--ttft-ms');
  const itlMs = number('itlMs', '--itl-ms');
  if ((ttftMs === undefined) !== (itlMs === undefined)) {
    throw new UsageError('--ttft-ms and --itl-ms go together: fixed-latency mode needs both', { hint: 'e.g. --ttft-ms 50 --itl-ms 10' });
  }
  const slowdown = flags.slowdown === undefined ? undefined : parseSlowdown(String(flags.slowdown));
  if (slowdown && ttftMs === undefined) throw new UsageError('--slowdown applies to fixed-latency mode', { hint: 'add --ttft-ms and --itl-ms' });
  const perf: Partial<PerfModel> = {};
  for (const [flag, key] of PERF_FLAGS) {
    const value = number(camel(flag), flag.split(' ')[0]!);
    if (value !== undefined) perf[key] = value;
  }
  const faults: Partial<Faults> = {};
  for (const [flag, key] of FAULT_FLAGS) {
    const value = number(camel(flag), flag.split(' ')[0]!);
    if (value !== undefined) faults[key] = value;
  }
  return {
    engine: engine as SimEngine,
    host: String(flags.host ?? '127.0.0.1'),
    port: number('port', '--port') ?? 0,
    model: String(flags.model ?? 'sim'),
    seed: number('seed', '--seed') ?? 1,
    ...(ttftMs !== undefined && itlMs !== undefined ? { fixed: { ttftMs, itlMs, ...(slowdown ? { slowdown } : {}) } } : {}),
    perf,
    faults,
    perRequestMetrics: flags.perRequestMetrics === true,
  };
}

/** "20s:10s:3" → after 20 s, for 10 s, 3× slower. */
function parseSlowdown(text: string): { afterMs: number; forMs: number; factor: number } {
  const [after, during, factor] = text.split(':');
  const afterMs = parseDurationMs(after ?? '');
  const forMs = parseDurationMs(during ?? '');
  const times = Number(factor);
  if (!Number.isFinite(afterMs) || !Number.isFinite(forMs) || !(times > 0)) {
    throw new UsageError(`--slowdown expects AFTER:FOR:FACTOR, e.g. 20s:10s:3, got ${JSON.stringify(text)}`);
  }
  return { afterMs, forMs, factor: times };
}

/** commander's attribute name for a flag: "--decode-step-ms <ms>" → "decodeStepMs". */
function camel(flag: string): string {
  return flag
    .split(' ')[0]!
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
