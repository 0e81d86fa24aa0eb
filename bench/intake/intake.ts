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
 *
 * Usage: npx tsx bench/intake/intake.ts [--rounds 2] [--servers sim,reference] [--users 1000] [--requests 3000]
 *        [--max-tokens 128] [--ttft-ms 50] [--itl-ms 50]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readRequestRecords } from '../../analytics/run-reader.js';
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
console.log(['server (sim: llmbench sim; reference: bare node:http)', 'ok', 'client TTFT p50', 'server TTFT p50', 'gap', 'read late p50', 'p90', 'token late p50', 'p90', 'server CPU s'].join('\t'));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, start] of Object.entries(SERVERS).filter(([key]) => chosen.has(key))) console.log([name, ...(await measure(start))].join('\t'));
}

async function measure(start: () => Promise<SimProcess>): Promise<string[]> {
  const server = await start();
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-intake-'));
  try {
    const pid = server.child.pid!;
    const cpuBefore = readPidStat(pid);
    const runArgs = ['run', '--engine', 'vllm', '--url', server.url, '--model', 'sim', '--concurrency', values.users, '--requests', values.requests,
      '--max-tokens', values['max-tokens'], '--out', join(dir, 'run'), '--no-monitor', '--quiet'];
    const exitCode = await new Promise<number | null>((resolve) => spawn(process.execPath, [binPath(), ...runArgs], { stdio: ['ignore', 'ignore', 'inherit'] }).once('exit', resolve));
    const cpuAfter = readPidStat(pid);
    if (exitCode !== 0) throw new Error(`llmbench run exited with ${exitCode}`);
    const truths = await fetchGroundTruth(server.url);
    const clientTtft: number[] = [];
    const serverTtft: number[] = [];
    const readLate: number[] = [];
    const tokenLate: number[] = [];
    for await (const record of readRequestRecords(join(dir, 'run'))) {
      const truth = truths.get(record.request_id);
      const delays = truth && deliveryDelays(record, truth);
      if (record.warmup || record.status !== 'ok' || !truth || truth.first_token_ms === null || record.metrics.ttft_ms === undefined) continue;
      if (delays?.requestMs === undefined || delays.firstTokenMs === undefined) continue;
      clientTtft.push(record.metrics.ttft_ms);
      serverTtft.push(truth.first_token_ms - truth.received_ms);
      readLate.push(delays.requestMs);
      tokenLate.push(delays.firstTokenMs);
    }
    const p = (samples: number[], stat: 'p50' | 'p90') => summarize(samples)?.[stat] ?? Number.NaN;
    const cpuSeconds = cpuBefore && cpuAfter ? (cpuAfter.cpuTicks - cpuBefore.cpuTicks) / CLOCK_TICKS_PER_SECOND : Number.NaN;
    return [String(clientTtft.length), ...[p(clientTtft, 'p50'), p(serverTtft, 'p50'), p(clientTtft, 'p50') - p(serverTtft, 'p50'), p(readLate, 'p50'), p(readLate, 'p90'), p(tokenLate, 'p50'), p(tokenLate, 'p90'), cpuSeconds].map((v) => v.toFixed(1))];
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The reference server's script with the node flags it needs: the .ts under tsx, the built .js otherwise. */
function referenceServerScript(): string[] {
  const script = fileURLToPath(new URL(`./reference-server${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  return script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
}
