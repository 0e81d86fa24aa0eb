import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientProcessSampler } from '../../../collectors/resources/process/client-process-sampler.js';
import { openEngineProcessSampler } from '../../../collectors/resources/process/engine-process-sampler.js';
import { findProcessByName, matchesProcessName } from '../../../collectors/resources/process/find-process.js';
import { parsePidStat, parseStatusRssBytes, processTree, type PidStat } from '../../../collectors/resources/process/procfs-process.js';
import { SamplerUnavailable } from '../../../collectors/resources/sampler.js';
import { createMonitor } from '../../../collectors/resources/monitor.js';

const tags = { run_id: 'r1', host: 'h' };
const signal = new AbortController().signal;
const nowMs = () => performance.timeOrigin + performance.now();

test('/proc/<pid>/stat: comm with spaces and parentheses, CPU ticks, start time', (t) => {
  const text = '4242 (python3 (vllm) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 1234 567 0 0 20 0 57 0 98765 3133440 364 18446744073709551615 0 0';
  t.deepEqual(parsePidStat(text), { pid: 4242, comm: 'python3 (vllm) x', ppid: 1, cpuTicks: 1234 + 567, startTicks: 98765 });
  t.is(parseStatusRssBytes('Name:\tcat\nVmRSS:\t    1960 kB\nThreads:\t1\n'), 1960 * 1024);
  t.is(parseStatusRssBytes('Name:\tkthreadd\n'), undefined);
});

test('process tree: the root and every descendant', (t) => {
  const stat = (pid: number, ppid: number): PidStat => ({ pid, ppid, comm: 'x', cpuTicks: 0, startTicks: pid });
  t.deepEqual(processTree(10, [stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 11), stat(13, 1), stat(14, 10)]), [10, 11, 14, 12]);
});

const names = test.macro((t, name: string, comm: string, argv: string[], expected: boolean) => {
  t.is(matchesProcessName(name, comm, argv), expected);
});
test('name: llama-server by comm', names, 'llama-server', 'llama-server', ['/usr/bin/llama-server', '-m', 'x.gguf'], true);
test('name: vllm serve (a Python script: comm is the script)', names, 'vllm', 'vllm', ['/usr/bin/python3', '/usr/local/bin/vllm', 'serve', 'm'], true);
test('name: python -m vllm.entrypoints…', names, 'vllm', 'python3', ['python3', '-m', 'vllm.entrypoints.openai.api_server'], true);
test('name: python -m sglang.launch_server', names, 'sglang', 'python', ['python', '-m', 'sglang.launch_server', '--port', '30000'], true);
test('name: text-generation-launcher (comm cut to 15)', names, 'text-generation-launcher', 'text-generation', [], true);
test('name: a model path that merely contains the name does not match', names, 'vllm', 'python3', ['python3', 'train.py', '--out', '/data/vllm-runs'], false);

test('client process: CPU from cpuUsage deltas after the first sample, RSS, event-loop delay p99', async (t) => {
  const sampler = new ClientProcessSampler(tags, 10);
  t.teardown(() => sampler.stop());
  const first = sampler.sample({ index: 0, timeMs: nowMs(), signal });
  t.false('cpu_pct' in first[0]!.fields, 'one reading is not an interval');
  const end = Date.now() + 150;
  while (Date.now() < end); // busy: the next interval has CPU time and a blocked event loop
  await new Promise((resolve) => setTimeout(resolve, 30));
  const [point] = sampler.sample({ index: 1, timeMs: nowMs(), signal });
  t.is(point!.measurement, 'process');
  t.deepEqual(point!.tags, { run_id: 'r1', host: 'h', role: 'client' });
  t.true((point!.fields.cpu_pct as number) > 0);
  t.true((point!.fields.event_loop_utilization_pct as number) > 50, 'busy for most of the interval');
  t.true((point!.fields.rss_bytes as number) > 1e6);
  t.true((point!.fields.heap_used_bytes as number) > 1e5 && (point!.fields.heap_used_bytes as number) < (point!.fields.rss_bytes as number), 'the heap lives inside the RSS');
  t.is(point!.fields.pid, process.pid);
  // Right after a sample, a 150 ms block: its delay is in the interval's p99 and max (about 140 ms late).
  t.true((point!.fields.event_loop_delay_ms as number) >= 100, `p99 ${point!.fields.event_loop_delay_ms}`);
  t.true((point!.fields.event_loop_delay_max_ms as number) >= 100);
});

// A stand-in engine: node under a distinctive name (a symlink, so comm is that name), burning CPU, with a child.
let binDir = '';
const children: ChildProcess[] = [];
test.before(async () => {
  binDir = await mkdtemp(join(tmpdir(), 'llmbench-engine-'));
  await symlink(process.execPath, join(binDir, 'fakeengine-x1'));
});
test.after.always(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(binDir, { recursive: true, force: true });
});

async function startFakeEngine(): Promise<ChildProcess> {
  const script = `
    const { spawn } = require('node:child_process');
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    console.log('ready');
    const burn = () => { const end = Date.now() + 20; while (Date.now() < end); setTimeout(burn, 5); };
    burn();`;
  const child = spawn(join(binDir, 'fakeengine-x1'), ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

test.serial('--engine-process NAME finds the engine (not this process) and samples it with its children', async (t) => {
  const engine = await startFakeEngine();
  t.teardown(() => process.kill(-engine.pid!, 'SIGKILL'));
  const match = await findProcessByName('fakeengine-x1');
  t.deepEqual(match, { pid: engine.pid, candidates: [engine.pid] });

  const notices: string[] = [];
  const sampler = await openEngineProcessSampler({ name: 'fakeengine-x1' }, tags, (line) => notices.push(line));
  const first = await sampler.sample({ index: 0, timeMs: nowMs(), signal });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const [point] = await sampler.sample({ index: 1, timeMs: nowMs(), signal });
  t.deepEqual(first[0]!.tags, { run_id: 'r1', host: 'h', role: 'engine' });
  t.is(point!.fields.pid, engine.pid);
  t.is(point!.fields.processes, 2, 'the engine and its child');
  t.true((point!.fields.cpu_pct as number) > 1, `cpu ${point!.fields.cpu_pct}`);
  t.true((point!.fields.rss_bytes as number) > 10e6);
  t.deepEqual(notices, []);

  process.kill(-engine.pid!, 'SIGKILL');
  await once(engine, 'exit');
  t.deepEqual(await sampler.sample({ index: 2, timeMs: nowMs(), signal }), []);
  t.deepEqual(notices, [`Engine process: pid ${engine.pid} exited; engine process sampling stopped`]);
});

test.serial('--engine-pid N of a process that does not exist: one line, the monitor goes on', async (t) => {
  await t.throwsAsync(openEngineProcessSampler({ pid: 999_999_999 }, tags, () => undefined), {
    instanceOf: SamplerUnavailable,
    message: 'no process with pid 999999999',
  });
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', gpu: 'off', hostMetrics: false, enginePid: 999_999_999 });
  await monitor.start({ runId: 'r1', onPoints: () => undefined, onNotice: (line) => notices.push(line) });
  const summary = await monitor.stop();
  t.deepEqual(notices, ['Engine process: no process with pid 999999999; engine process sampling off']);
  t.truthy(summary.samplers['Client process']);
});

test.serial('--engine-process with no such process: one line', async (t) => {
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', gpu: 'off', hostMetrics: false, clientProcess: false, engineProcess: 'no-such-engine-z9' });
  await monitor.start({ runId: 'r1', onPoints: () => undefined, onNotice: (line) => notices.push(line) });
  await monitor.stop();
  t.deepEqual(notices, ['Engine process: no process named "no-such-engine-z9" is running; engine process sampling off']);
});
