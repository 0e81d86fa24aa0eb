/** Ctrl-C during a run: the load stops, in-flight requests are recorded as cancelled, the run is marked aborted. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/index.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { BIN } from '../helpers/cli.js';

test('SIGINT flushes a usable run marked aborted, with every request accounted for, and exits 130', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 20 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-int-')), 'run');
  const child = spawn(process.execPath, [BIN, 'run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '5',
    '--duration', '60s', '--warmup', '0', '--max-tokens', '100', '--prompt-tokens', '8', '--out', out, '--no-monitor'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (part: Buffer) => {
    stderr += part.toString();
  });
  // Interrupt once the load is running (the first progress line says so).
  await new Promise<void>((resolve) => {
    const check = () => (/\[main\]/.test(stderr) ? resolve() : setTimeout(check, 100));
    check();
  });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(code, 130, stderr);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(run.status, 'aborted');
  t.regex(run.abort_reason ?? '', /interrupted/);
  const records = (await readFile(join(out, 'requests.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
  const cancelled = records.filter((r) => r.error_kind === 'cancelled');
  t.is(cancelled.length, 5, 'the five requests in flight at the interrupt');
  t.is(run.summary.requests.total, records.length);
  t.is(run.summary.errors_by_kind.cancelled, 5);
  await readFile(join(out, 'report.md'), 'utf8').then((report) => t.regex(report, /aborted/));
});
