/**
 * bench/intake: how much of the client-vs-server TTFT gap at 1 000 streams is the server reading requests late.
 * The issue-3 check (`llmbench run --concurrency 1000 --requests 3000` against fixed 50/50 ms timing) runs
 * against `llmbench sim` and against reference-server.ts, a bare node:http server with the same timing and
 * the same ground-truth stamps, alternately, each server in its own process. Per run it prints:
 *   gap           client TTFT p50 − server TTFT p50 (the criterion: within 15 ms)
 *   read late     server `received_ms` − client `t_send`, per request (the server's intake queue; TTFT on the
 *                 server starts after it, on the client before it)
 *   token late    client `t_first_token` − server `first_token_ms`, per request (the client reading late)
 *   server CPU    utime + stime of the server process over the run, from /proc
 * If the bare server shows a gap of the same size, the simulator's extra work is not what makes it; the two
 * "late" columns then say how much of it is the server's intake and how much the client's reading.
 * Each run prints a row for all requests (the criterion), then one per wave of `--users` requests in send
 * order: the first wave is the herd of users starting together, which a server on 2 shared cores reads
 * slowest; later waves are paced by the earlier ones ending.
 *
 * Usage: npx tsx bench/intake/intake.ts [--rounds 2] [--servers sim,reference] [--users 1000] [--requests 3000]
 *        [--max-tokens 128] [--ttft-ms 50] [--itl-ms 50] [--run-args="--workers 2"]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { CLOCK_TICKS_PER_SECOND, readPidStat } from '../../collectors/resources/process/procfs-process.js';
import { summarize } from '../../pipeline/core/stats.js';
import { binPath, startListeningProcess, startSimProcess, type SimProcess } from '../common/sim-process.js';
import { deliveryDelays, fetchGroundTruth } from '../common/ground-truth.js';
import { STREAM_CHECK_OPTIONS } from '../common/stream-check-options.js';

const { values } = parseArgs({
  options: {
    ...STREAM_CHECK_OPTIONS,
    rounds: { type: 'string', default: '2' },
    servers: { type: 'string', default: 'sim,reference' },
    // Extra `llmbench run` flags for experiments, e.g. "--workers 2"; split on spaces.
    'run-args': { type: 'string', default: '' },
  },
});
const timing = ['--ttft-ms', values['ttft-ms'], '--itl-ms', values['itl-ms']];

const SERVERS: Record<string, () => Promise<SimProcess>> = {
  sim: () => startSimProcess(['--engine', 'vllm', '--port', '0', ...timing]),
  reference: () => startListeningProcess([...referenceServerScript(), ...timing]),
};
const chosen = new Set(values.servers.split(','));
const unknown = [...chosen].filter((key) => !(key in SERVERS));
if (unknown.length > 0) throw new Error(`--servers: unknown ${unknown.join(', ')} (choose from ${Object.keys(SERVERS).join(', ')})`);

console.log(`llmbench run --engine vllm --concurrency ${values.users} --requests ${values.requests} --max-tokens ${values['max-tokens']}; servers with TTFT ${values['ttft-ms']} ms, ITL ${values['itl-ms']} ms`);
console.log(['server (sim: llmbench sim; reference: bare node:http)', 'requests', 'ok', 'client TTFT p50', 'server TTFT p50', 'gap', 'read late p50', 'p90', 'token late p50', 'p90', 'server CPU s'].join('\t'));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, start] of Object.entries(SERVERS).filter(([key]) => chosen.has(key))) {
    for (const row of await measure(start)) console.log([name, ...row].join('\t'));
  }
}

/** One request's numbers, ms. */
interface Sample {
  readonly sendMs: number;
  readonly clientTtft: number;
  readonly serverTtft: number;
  readonly readLate: number;
  readonly tokenLate: number;
}

/**
 * Rows for the run (the criterion) and for each wave: the requests in send order, `--users` at a time.
 * The first wave is the herd of users starting together; later waves are paced by the ones before them ending.
 */
async function measure(start: () => Promise<SimProcess>): Promise<string[][]> {
  const server = await start();
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-intake-'));
  try {
    const pid = server.child.pid!;
    const cpuBefore = readPidStat(pid);
    const runArgs = ['run', '--engine', 'vllm', '--url', server.url, '--model', 'sim', '--concurrency', values.users, '--requests', values.requests,
      '--max-tokens', values['max-tokens'], '--out', join(dir, 'run'), '--no-monitor', '--quiet', ...values['run-args'].split(' ').filter(Boolean)];
    const exitCode = await new Promise<number | null>((resolve) => spawn(process.execPath, [binPath(), ...runArgs], { stdio: ['ignore', 'ignore', 'inherit'] }).once('exit', resolve));
    const cpuAfter = readPidStat(pid);
    if (exitCode !== 0) throw new Error(`llmbench run exited with ${exitCode}`);
    const truths = await fetchGroundTruth(server.url);
    const samples: Sample[] = [];
    for await (const record of (await readRunDirectory(join(dir, 'run'))).records()) {
      const truth = truths.get(record.request_id);
      const delays = truth && deliveryDelays(record, truth);
      if (record.warmup || record.status !== 'ok' || !truth || truth.first_token_ms === null || record.metrics.ttft_ms === undefined) continue;
      if (delays?.requestMs === undefined || delays.firstTokenMs === undefined || record.t_send === undefined) continue;
      samples.push({
        sendMs: record.t_send,
        clientTtft: record.metrics.ttft_ms,
        serverTtft: truth.first_token_ms - truth.received_ms,
        readLate: delays.requestMs,
        tokenLate: delays.firstTokenMs,
      });
    }
    const cpuSeconds = cpuBefore && cpuAfter ? (cpuAfter.cpuTicks - cpuBefore.cpuTicks) / CLOCK_TICKS_PER_SECOND : Number.NaN;
    samples.sort((a, b) => a.sendMs - b.sendMs);
    const users = Number(values.users);
    const rows = [['all', ...columns(samples), cpuSeconds.toFixed(1)]];
    for (let from = 0; from < samples.length; from += users) rows.push([`wave ${from / users + 1}`, ...columns(samples.slice(from, from + users)), '']);
    return rows;
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function columns(samples: readonly Sample[]): string[] {
  const p = (pick: (sample: Sample) => number, stat: 'p50' | 'p90') => summarize(samples.map(pick))?.[stat] ?? Number.NaN;
  const clientTtft = p((sample) => sample.clientTtft, 'p50');
  const serverTtft = p((sample) => sample.serverTtft, 'p50');
  return [String(samples.length), ...[clientTtft, serverTtft, clientTtft - serverTtft,
    p((sample) => sample.readLate, 'p50'), p((sample) => sample.readLate, 'p90'),
    p((sample) => sample.tokenLate, 'p50'), p((sample) => sample.tokenLate, 'p90')].map((v) => v.toFixed(1))];
}

/** The reference server's script with the node flags it needs: the .ts under tsx, the built .js otherwise. */
function referenceServerScript(): string[] {
  const script = fileURLToPath(new URL(`./reference-server${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  return script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
}
