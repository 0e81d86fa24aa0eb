import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../pipeline/core/errors.js';
import { monitorCommand } from '../../../cli/commands/monitor.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmbench-monitor-cli-'));
});
test.after.always(() => rm(dir, { recursive: true, force: true }));

/** Runs the command with stdout/stderr captured (serial tests only: it swaps the process streams' write). */
async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    await monitorCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

test.serial('--out FILE.jsonl: points in the resources.jsonl shape, one per line', async (t) => {
  const file = join(dir, 'resources.jsonl');
  const { stdout, stderr } = await run(['--gpu', 'off', '--duration', '1s', '--interval', '250ms', '--out', file]);
  t.is(stdout, '');
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  t.true(lines.length > 5);
  for (const line of lines) {
    t.deepEqual(Object.keys(line), ['measurement', 'tags', 'fields', 'time_ms']);
    t.regex(String((line.tags as Record<string, string>).run_id), /^monitor-\d{8}-\d{6}$/);
  }
  const measurements = new Set(lines.map((line) => line.measurement));
  t.deepEqual([...measurements].sort(), ['host', 'host_cpu', 'process']);
  t.regex(stderr, new RegExp(`^monitor: \\d+ samples every 250 ms, ${lines.length} points written to ${file.replaceAll('/', '\\/')}\\n$`));
});

test.serial('without --out: one human line per sample', async (t) => {
  const { stdout } = await run(['--gpu', 'off', '--duration', '600ms', '--interval', '200ms']);
  const lines = stdout.trim().split('\n');
  t.true(lines.some((line) => /^\d\d:\d\d:\d\d\.\d{3} {2}host {2}cpu [\d.]+% {2}mem .* \/ .*GiB/.test(line)), stdout);
  t.true(lines.some((line) => /^\d\d:\d\d:\d\d\.\d{3} {2}client {2}cpu [\d.]+% {2}rss /.test(line)), stdout);
});

test.serial('a bad --interval or --duration is a usage error naming the flag', async (t) => {
  await t.throwsAsync(run(['--interval', 'soon']), { instanceOf: UsageError, message: /^--interval soon is not a duration/ });
  await t.throwsAsync(run(['--duration', '0s']), { instanceOf: UsageError, message: /^--duration 0s is not a positive duration/ });
  await t.throwsAsync(run(['--interval', '10ms', '--duration', '1s']), { instanceOf: UsageError, message: '--interval must be at least 100ms, got 10ms' });
});
