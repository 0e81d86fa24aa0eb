/**
 * `llmbench sim` as a process: the first stdout line is the URL, it serves, and SIGTERM stops it cleanly;
 * bad flags exit 2 with a message naming the flag.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import test from 'ava';
import { post, sseJson } from './sim-client.js';

const ENTRY = new URL('./fixtures/llmbench.ts', import.meta.url).pathname;

function cli(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
