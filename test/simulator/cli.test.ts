/**
 * `llmbench sim` as a process: the first stdout line is the URL, it serves, and SIGTERM stops it cleanly;
 * bad flags exit 2 with a message naming the flag.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Agent, request } from 'undici';
import test, { type ExecutionContext } from 'ava';
import { SERVER_NICE_STEP } from '../../pipeline/tuning/process-tuning.js';
import { post, sseJson } from './sim-client.js';
import { NICE_FIELD, POLICY_FIELD, statFields } from '../helpers/proc-stat.js';

const ENTRY = new URL('./fixtures/llmbench.ts', import.meta.url).pathname;

function cli(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fixed-mode vLLM simulator, killed when the test ends; resolves once it printed its listening line. */
async function listeningSim(t: ExecutionContext) {
  const child = cli(['sim', '--engine', 'vllm', '--port', '0', '--ttft-ms', '5', '--itl-ms', '1']);
  t.teardown(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await once(createInterface({ input: child.stdout }), 'line');
  return { pid: child.pid!, stderr: () => stderr };
}

test('prints "listening on http://HOST:PORT" first, serves the dialect, stops on SIGTERM with exit 0', async (t) => {
  t.timeout(30_000);
  const child = cli(['sim', '--engine', 'tgi', '--port', '0', '--ttft-ms', '5', '--itl-ms', '1', '--model', 'cli-model']);
  t.teardown(() => child.kill('SIGKILL'));
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
  t.truthy(match, first);
  const events = sseJson((await post(match![1]!, '/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 3, details: true } })).text);
  t.is(events.length, 3);
  t.is(events[2]!.details.generated_tokens, 3);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.is(code, 0);
});

test('raises its own priority where the system allows it, and says so on stderr', async (t) => {
  t.timeout(30_000);
  if (process.platform !== 'linux') return t.pass('per-thread nice values are Linux behaviour');
  const sim = await listeningSim(t);
  const nice = Number(statFields(`/proc/${sim.pid}/stat`)[NICE_FIELD]);
  const before = getPriority(0);
  if (process.getuid?.() === 0) {
    t.is(nice, Math.max(-20, before + SERVER_NICE_STEP));
    // Its V8 helpers too: its scavenges are parallel and wait for them.
    const threads = readdirSync(`/proc/${sim.pid}/task`);
    t.true(threads.length > 1);
    for (const thread of threads) t.is(Number(statFields(`/proc/${sim.pid}/task/${thread}/stat`)[NICE_FIELD]), Math.max(-20, before + SERVER_NICE_STEP), `thread ${thread}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.regex(sim.stderr(), new RegExp(`priority raised: nice ${before} → ${Math.max(-20, before + SERVER_NICE_STEP)}`));
  } else {
    t.true([before, before + SERVER_NICE_STEP].includes(nice));
  }
});

test('runs every thread under SCHED_BATCH, so a request that wakes it does not preempt the client, and says so', async (t) => {
  t.timeout(30_000);
  if (process.platform !== 'linux') return t.pass('SCHED_BATCH is Linux behaviour');
  const sim = await listeningSim(t);
  const policies = readdirSync(`/proc/${sim.pid}/task`).map((tid) => Number(statFields(`/proc/${sim.pid}/task/${tid}/stat`)[POLICY_FIELD]));
  t.true(policies.length > 1);
  t.deepEqual([...new Set(policies)], [3], 'SCHED_BATCH (3) on every thread');
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Threads started later (libuv's pool) inherit the policy; the line counts those there were at the time.
  t.regex(sim.stderr(), /scheduling: SCHED_BATCH on (\d+) of \1 threads/);
});

test('bad flags exit 2 and name the flag (in process, through main)', async (t) => {
  const { main } = await import('../../cli/main.js');
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => void errors.push(parts.join(' '));
  t.teardown(() => (console.error = original));
  t.is(await main(['sim', '--engine', 'vllm', '--slots', '0', '--disconnect-rate', '1.5']), 2);
  t.regex(errors.join('\n'), /--slots: expected an integer ≥ 1, got 0/);
  t.regex(errors.join('\n'), /--disconnect-rate: expected a probability/);
  t.is(await main(['sim', '--engine', 'nope']), 2);
  t.regex(errors.join('\n'), /--engine must be one of/);
});

test('warms its hot paths on a throwaway server first: the real one starts with empty ground truth; --no-warmup skips it', async (t) => {
  t.timeout(60_000);
  for (const warm of [true, false]) {
    const child = cli(['sim', '--engine', 'ollama', '--port', '0', '--ttft-ms', '5', '--itl-ms', '1', ...(warm ? [] : ['--no-warmup'])]);
    t.teardown(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)![1]!;
    const truth = (await (await fetch(`${url}/__sim/requests`)).json()) as unknown[];
    t.deepEqual(truth, [], 'no warmup request reached the served simulator');
    child.kill('SIGTERM');
    await once(child, 'exit');
    if (warm) t.regex(stderr, /warmed up: 400\/400 streamed requests on a throwaway server in \d+ ms/);
    else t.notRegex(stderr, /warmed up/);
  }
});

test('one SIGINT stops it while clients hold pooled keep-alive connections and streams are mid-flight', async (t) => {
  t.timeout(60_000);
  const child = cli(['sim', '--engine', 'vllm', '--port', '0', '--ttft-ms', '1', '--itl-ms', '20']);
  t.teardown(() => child.kill('SIGKILL'));
  const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)![1]!;
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  // The client is never closed: its 50 sockets stay open, idle or streaming, as a benchmark's pool would be.
  const agent = new Agent({ connections: 50, keepAliveTimeout: 600_000 });
  const body = (maxTokens: number) => JSON.stringify({ model: 'sim', prompt: 'x', max_tokens: maxTokens, stream: true });
  const complete = (maxTokens: number) =>
    request(`${url}/v1/completions`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: body(maxTokens) }).then((r) => r.body.text());
  await Promise.all(Array.from({ length: 200 }, () => complete(2)));
  // Long streams still running when the signal comes (1 000 tokens at 20 ms would take 20 s).
  const streams = Array.from({ length: 20 }, () => complete(1000).catch((error: unknown) => error));
  await new Promise((resolve) => setTimeout(resolve, 200));
  child.kill('SIGINT');
  const deadline = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code, signal] = await exited;
  clearTimeout(deadline);
  t.is(signal, null, 'it exited by itself, not by the SIGKILL 15 s later');
  t.is(code, 0);
  await Promise.all(streams);
  await agent.destroy();
});
