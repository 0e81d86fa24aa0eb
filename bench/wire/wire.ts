/**
 * bench/wire: the client's TTFT against the wire. `llmbench run` (the real CLI, in its own process) runs
 * against a target on this machine while tcpdump records the loopback traffic; each request's "request
 * written" and "first token" are then read off the kernel's packet timestamps and compared with the
 * client's stamps. Against llmbench's simulator (started here when no --url is given) its ground truth is
 * compared with the wire as well, which shows how much of a client-vs-simulator gap is the simulator's.
 *
 * Usage: npx tsx bench/wire/wire.ts [--users 1000] [--requests 3000] [--max-tokens 128] [--ttft-ms 50]
 *        [--itl-ms 50] [--engine vllm] [--url URL --model NAME] [--keep DIR] [-- extra `llmbench run` flags]
 * Needs tcpdump and the right to capture (root or CAP_NET_RAW).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { adapterFor } from '../../collectors/engines/index.js';
import type { MetricSummary } from '../../pipeline/core/stats.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { binPath, startSimProcess, type SimProcess } from '../common/sim-process.js';
import { STREAM_CHECK_OPTIONS } from '../common/stream-check-options.js';
import { startCapture } from './capture.js';
import { compareWithWire, type WireComparison } from './compare.js';
import { fetchGroundTruth } from '../common/ground-truth.js';
import { httpExchanges } from './http-exchanges.js';
import { readPcap } from './pcap.js';
import { wireTruth } from './wire-truth.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ...STREAM_CHECK_OPTIONS,
    engine: { type: 'string', default: 'vllm' },
    url: { type: 'string' },
    model: { type: 'string' },
    keep: { type: 'string' },
  },
});

const engine = values.engine;
const sim: SimProcess | undefined = values.url
  ? undefined
  : await startSimProcess(['--engine', engine, '--ttft-ms', values['ttft-ms'], '--itl-ms', values['itl-ms'], '--port', '0']);
const url = values.url ?? sim!.url;
const port = Number(new URL(url).port || 80);
const model = values.model ?? (sim ? 'sim' : undefined);
if (!model) throw new Error('--model is needed with --url');
const dir = values.keep ?? (await mkdtemp(join(tmpdir(), 'llmbench-wire-')));
await mkdir(dir, { recursive: true });
try {
  const capture = await startCapture(port, join(dir, 'wire.pcap'));
  const runArgs = ['run', '--engine', engine, '--url', url, '--model', model, '--concurrency', values.users, '--requests', values.requests,
    '--max-tokens', values['max-tokens'], '--out', join(dir, 'run'), '--no-monitor', '--quiet', ...positionals];
  const exitCode = await new Promise<number | null>((resolve) => spawn(process.execPath, [binPath(), ...runArgs], { stdio: 'inherit' }).once('exit', resolve));
  const captured = await capture.stop();
  if (exitCode !== 0 && exitCode !== 99) throw new Error(`llmbench run exited with ${exitCode}`);
  const simTruth = sim ? [...(await fetchGroundTruth(url)).values()] : undefined;
  const records: RequestRecord[] = [];
  for await (const record of (await readRunDirectory(join(dir, 'run'))).records()) records.push(record);
  const parseStartMs = performance.now();
  const segments = readPcap(await readFile(captured.file));
  const truths = wireTruth(httpExchanges(segments, port), adapterFor(engine));
  const comparison = compareWithWire(records, truths, simTruth);
  console.log(`llmbench run ${runArgs.slice(1).join(' ')}`);
  console.log(`target: ${sim ? `llmbench sim --engine ${engine} --ttft-ms ${values['ttft-ms']} --itl-ms ${values['itl-ms']} (own process)` : url}`);
  console.log(`capture: ${segments.length} data segments, ${captured.droppedPackets} dropped by the kernel, tcpdump CPU ${captured.cpuSeconds.toFixed(1)} s, read in ${((performance.now() - parseStartMs) / 1000).toFixed(1)} s`);
  if (captured.droppedPackets > 0) console.log('WARNING: the kernel dropped packets; requests whose segments were lost are unmatched');
  printComparison(comparison);
} finally {
  await sim?.stop();
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}

function printComparison(c: WireComparison): void {
  console.log(`requests matched: ${c.matched} (ok records without a complete stream on the wire: ${c.unmatched}); output-token count differs from the wire: ${c.tokenMismatches}`);
  const header = ['ms', 'min', 'p50', 'p90', 'p99', 'max', 'mean'];
  const row = (name: string, s: MetricSummary | undefined) =>
    s ? [name, s.min, s.p50, s.p90, s.p99, s.max, s.mean].map((v) => (typeof v === 'number' ? v.toFixed(2) : v)) : [name, '-'];
  const rows = [
    row('TTFT, client', c.ttft.client),
    row('TTFT, wire', c.ttft.wire),
    row('TTFT, simulator', c.ttft.simulator),
    row('client − wire: TTFT', c.clientError.ttft),
    row('client − wire: t_send', c.clientError.send),
    row('client − wire: t_first_token', c.clientError.firstToken),
    row('simulator read the request after the wire', c.simulatorError?.intake),
    row('simulator first-token stamp − wire', c.simulatorError?.firstToken),
  ];
  console.log(header.join('\t'));
  for (const cells of rows) console.log(cells.join('\t'));
}

