/**
 * Engine faults under load, through the real CLI against a scripted server on 127.0.0.1 that keeps its own log
 * of what it did to which request (x-request-id): every fault gives its error kind, the run goes on, every
 * request that was due has exactly one record, and the client's memory stays bounded when a server sends a
 * line without end. Then the same bound in-process, where the heap can be watched directly.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { adapterFor } from '../../collectors/engines/index.js';
import { MAX_RECORD_CHARS } from '../../collectors/engines/record-too-long.js';
import { systemClock } from '../../pipeline/core/clock.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { executeRequest, MAX_ERROR_BODY_CHARS } from '../../pipeline/pool/execute-request.js';
import { Watchdog } from '../../pipeline/pool/watchdog.js';
import { BIN } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { ALL_FAULTS, drained, EXPECTED, startFaultServer, TIMEOUTS, UNBOUNDED_LINE_BYTES } from './helpers/fault-server.js';

const REQUESTS = ALL_FAULTS.length * 4;

/** Peak resident set of a running process (VmHWM), in bytes; 0 once it is gone. */
function peakRssBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0; // the process has exited: the last reading stands
  }
}

test.serial('every engine fault under load: its error kind, one record per request the server saw, the run completes, memory bounded', async (t) => {
  const server = await startFaultServer();
  t.teardown(() => server.close());
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-engine-faults-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const scenario = join(dir, 'faults.yaml');
  await writeFile(scenario, `name: faults\nextends: quick\nworkload: { timeouts: { first_token: ${TIMEOUTS.firstTokenMs}ms, idle: ${TIMEOUTS.idleMs}ms } }\n`);
  const out = join(dir, 'run');
  const child = spawn(process.execPath, [BIN, 'run', scenario, '--engine', 'vllm', '--url', server.url, '--model', 'sim', '--concurrency', '6',
    '--requests', String(REQUESTS), '--warmup', '0', '--max-tokens', '4', '--prompt-tokens', '4', '--out', out, '--no-monitor', '--quiet', '--workers', '1'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (part: Buffer) => (stderr += part.toString()));
  let peakBytes = 0;
  const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, peakRssBytes(child.pid!))), 50);
  const kill = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  clearTimeout(kill);
  t.is(code, 0, stderr);

  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(run.status, 'completed');
  const records = (await readFile(join(out, 'requests.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
  t.is(records.length, REQUESTS, 'one record per request that was due');
  const byId = new Map(records.map((record) => [record.request_id, record]));
  t.is(byId.size, REQUESTS, 'no request recorded twice');
  t.is(server.log.size, REQUESTS, 'the server saw every request');
  const wrong: string[] = [];
  for (const entry of server.log.values()) {
    const record = byId.get(entry.requestId);
    const expected = EXPECTED[entry.fault];
    if (!record) wrong.push(`${entry.requestId} (${entry.fault}): no record`);
    else if (record.status !== expected.status || record.error_kind !== expected.kind) {
      wrong.push(`${entry.requestId} (${entry.fault}): ${record.status}/${record.error_kind ?? '-'} (${record.error_message ?? ''}), expected ${expected.status}/${expected.kind ?? '-'}`);
    }
  }
  t.deepEqual(wrong, []);
  for (const entry of server.log.values()) {
    if (entry.fault === 'close_before_headers') t.is(entry.attempts, 2, 'sent once more on a fresh connection, then recorded');
    if (entry.fault === 'unbounded_line') t.true(entry.bytesWritten < UNBOUNDED_LINE_BYTES / 2, `the client stopped reading after ${entry.bytesWritten} bytes`);
  }
  const kinds = new Set(ALL_FAULTS.map((fault) => EXPECTED[fault].kind).filter((kind) => kind !== undefined));
  for (const kind of kinds) t.true((run.summary.errors_by_kind[kind] ?? 0) > 0, `summary counts ${kind}`);
  t.log(`peak RSS of the client: ${(peakBytes / 2 ** 20).toFixed(0)} MiB over ${REQUESTS} requests, ${REQUESTS / ALL_FAULTS.length} of them 50 MB lines`);
  // Four 50 MB lines held whole would need 200 MB on top of the client's ~120 MB; bounded, they need 4 × 4 Mi chars at most.
  t.true(peakBytes > 0 && peakBytes < 260 * 2 ** 20, `peak RSS ${peakBytes} bytes`);
});

/** One streamed vLLM completions request on its own agent. */
async function oneRequest(t: import('ava').ExecutionContext, url: string, stream = true): Promise<RequestRecord> {
  const agent = new Agent({ connections: 1 });
  t.teardown(() => agent.close());
  const watchdog = new Watchdog(30_000, 30_000, () => systemClock.nowMs());
  t.teardown(() => watchdog.stop());
  const { record } = await executeRequest(
    { adapter: adapterFor('vllm'), dispatcher: agent, origin: url, clock: systemClock, watchdog, runId: 'run', workerIndex: 0, networkRttMs: 0, basePath: '' },
    { requestId: 'r-1', model: 'sim', prompt: 'p', promptTokens: 1, maxTokens: 4, stream, api: 'completions' },
    { tIntended: systemClock.nowMs(), stage: 'main', stageIndex: 0, warmup: false },
    new AbortController().signal,
  );
  return record;
}

test.serial('a 50 MB line without a line end: a protocol error after at most the record bound, heap growth bounded', async (t) => {
  const server = await startFaultServer(['unbounded_line']);
  t.teardown(() => server.close());
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
  const record = await oneRequest(t, server.url);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  t.is(record.status, 'error');
  t.is(record.error_kind, 'protocol');
  t.regex(record.error_message ?? '', new RegExp(`grew past ${MAX_RECORD_CHARS} characters`));
  const entry = [...server.log.values()][0]!;
  t.true(entry.bytesWritten < UNBOUNDED_LINE_BYTES / 2, `${entry.bytesWritten} bytes were sent before the client stopped reading`);
  const growthMiB = (peak - before) / 2 ** 20;
  t.log(`heap growth while reading it: ${growthMiB.toFixed(1)} MiB (the line: ${UNBOUNDED_LINE_BYTES / 2 ** 20} MiB; the bound: ${MAX_RECORD_CHARS / 2 ** 20} Mi chars)`);
  t.true(growthMiB < 40, `heap grew ${growthMiB.toFixed(1)} MiB`);
});

test.serial('an error status with a body without end: its kind, the body cut at the bound, the rest not read', async (t) => {
  let written = 0;
  const server = await startScriptedServer(async (_request, response) => {
    response.writeHead(503, { 'content-type': 'text/plain' });
    const piece = 'overloaded '.repeat(6000);
    while (!response.destroyed && written < 100 * 2 ** 20) {
      written += piece.length;
      if (!response.write(piece)) await drained(response);
    }
    if (!response.destroyed) response.end();
  });
  t.teardown(() => server.close());
  const record = await oneRequest(t, server.url);
  t.is(record.error_kind, 'overloaded');
  t.is(record.http_status, 503);
  t.regex(record.error_message ?? '', new RegExp(`the body was cut after ${MAX_ERROR_BODY_CHARS} characters`));
  t.true(written < 50 * 2 ** 20, `${written} bytes were sent before the client stopped reading`);
});
