/**
 * A client killed with SIGKILL mid-run (a real child process running the CLI) leaves a run directory that
 * `llmbench report`, `llmbench push` and the programmatic reader read as `incomplete`, with every record that was
 * written; a torn last line is skipped and counted, never an exception.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, truncate, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { startSimulator } from '../../simulator/index.js';
import { BIN, runCli } from '../helpers/cli.js';
import { noticeIfMissing, sampleCount, victoriaMetricsFor, vmTest } from '../helpers/victoria-metrics.js';

noticeIfMissing();

/** Runs the CLI and kills it with SIGKILL once it has written `records` request records. */
async function killedRun(t: import('ava').ExecutionContext, records: number): Promise<string> {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 2, itlMs: 2 } });
  t.teardown(() => sim.close());
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-killed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'run');
  const child = spawn(process.execPath, [BIN, 'run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '16', '--duration', '60s',
    '--warmup', '0', '--max-tokens', '16', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  const requests = join(out, 'requests.jsonl');
  // Kill it mid-write: once requests.jsonl holds about `records` lines (~1.2 KB each), while it keeps writing.
  for (let i = 0; i < 600; i++) {
    if (existsSync(requests) && (await stat(requests)).size > records * 1200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  t.is(await exited, 'SIGKILL');
  t.false(existsSync(join(out, 'run.json')), 'killed: no run.json');
  return out;
}

async function completeLines(out: string): Promise<number> {
  const text = await readFile(join(out, 'requests.jsonl'), 'utf8');
  const lines = text.split('\n');
  // The last piece is '' after a final newline, or a line the kill cut short.
  return lines.slice(0, -1).filter((line) => line.trim() !== '').length;
}

test.serial('kill -9 mid-run: report and the reader read it as incomplete with every record written; a torn last line is skipped and counted', async (t) => {
  const out = await killedRun(t, 300);
  let lines = await completeLines(out);
  t.true(lines > 100, `${lines} records written before the kill`);

  const report = await runCli(['report', out, '--format', 'json']);
  t.is(report.code, 0, report.stderr);
  const read = JSON.parse(report.stdout) as RunResult;
  t.is(read.status, 'incomplete');
  t.false(read.valid);
  t.is(read.summary.requests.total, lines);
  const markdown = await runCli(['report', out]);
  t.is(markdown.code, 0, markdown.stderr);
  t.regex(markdown.stdout, /\*\*Status\*\*: incomplete/);

  // Tear the last line as a kill during its write would (if this kill happened between two writes).
  const path = join(out, 'requests.jsonl');
  const text = await readFile(path, 'utf8');
  if (text.endsWith('\n')) {
    await truncate(path, (await stat(path)).size - 40);
    lines--;
  }
  const warnings: string[] = [];
  const view = await readRunDirectory(out, { onWarning: (line) => warnings.push(line) });
  t.false(view.complete);
  t.is(view.result.status, 'incomplete');
  let count = 0;
  for await (const record of view.records()) if (record.request_id) count++;
  t.is(count, lines, 'every complete line, the torn one skipped');
  t.is(view.damage.tornLines, 1);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /requests\.jsonl: the last line was cut short .*skipped/);
  const again = await runCli(['report', out, '--format', 'json']);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /warning: .*requests\.jsonl: the last line was cut short/);
  t.deepEqual((JSON.parse(again.stdout) as RunResult).damage, { torn_lines: 1, files: ['requests.jsonl'] });

  // Damage that is not a torn last line is an error naming file and line, exit 2 — never an exception.
  await appendFile(path, '\n{"request_id": "after the tear"}\n');
  const damaged = await runCli(['report', out, '--format', 'json']);
  t.is(damaged.code, 2);
  t.regex(damaged.stderr, new RegExp(`error\\[RUN_DAMAGED\\]: .*requests\\.jsonl:${lines + 1} is not readable`));
});

vmTest('kill -9 mid-run: llmbench push replays the incomplete run, every record written', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const out = await killedRun(t, 200);
  const lines = await completeLines(out);
  const push = await runCli(['push', out, '--influx-url', vm.url, '--influx-org', 'bench', '--influx-bucket', 'llm']);
  t.is(push.code, 0, push.stderr);
  t.regex(push.stdout, /pushed incomplete run \(it never ended\)/);
  const runId = (JSON.parse(await readFile(join(out, 'run-start.json'), 'utf8')) as { run_id: string }).run_id;
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${runId}"}`), lines);
});
