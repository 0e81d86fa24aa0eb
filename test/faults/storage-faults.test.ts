/**
 * Storage faults, through the real CLI. Before any load (preflight): an unwritable, read-only or full run
 * directory exits 4 and no request reaches the engine. Mid-run: a disk that fills up (a small tmpfs of our own)
 * or a file the kernel refuses to write (requests.jsonl → /dev/full, which needs no mount) stops the run as
 * failed with the reason and what was kept; run.json is written when the disk allows, otherwise the directory
 * reads as incomplete with every record that was written.
 */
import test from 'ava';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { MIN_FREE_BYTES } from '../../pipeline/sinks/run-directory.js';
import { startSimulator } from '../../simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { tmpfsFor, tmpfsTest } from './helpers/tmpfs.js';

const runArgs = (url: string, out: string, extra: string[] = []) => [
  'run', '--engine', 'vllm', '--url', url, '--model', 'sim', '--warmup', '0', '--max-tokens', '20', '--prompt-tokens', '8',
  '--out', out, '--no-monitor', '--quiet', '--workers', '1', ...extra,
];

/** A server that counts what reaches it (and answers nothing useful: nothing should reach it). */
async function countingServer(t: import('ava').ExecutionContext) {
  const server = await startScriptedServer((_request, response) => {
    response.writeHead(500);
    response.end();
  });
  t.teardown(() => server.close());
  return server;
}

async function tempDir(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-storage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('preflight: a run directory that cannot be created (its parent is a file) exits 4 before any request', async (t) => {
  const server = await countingServer(t);
  const parent = join(await tempDir(t), 'a-file');
  writeFileSync(parent, 'not a directory');
  const result = await runCli(runArgs(server.url, join(parent, 'run'), ['--requests', '5', '--concurrency', '1']));
  t.is(result.code, 4, result.stderr);
  t.regex(result.stderr, /error\[SINK_UNAVAILABLE\]: cannot write the run directory .*a-file\/run/);
  t.regex(result.stderr, /hint: pass a writable --out directory/);
  t.is(server.requests.length, 0, 'no request reached the engine, not even preflight');
});

tmpfsTest('preflight: a read-only file system exits 4 before any request', async (t) => {
  const server = await countingServer(t);
  const mount = tmpfsFor(t, 'ro,size=64k');
  const result = await runCli(runArgs(server.url, join(mount, 'run'), ['--requests', '5', '--concurrency', '1']));
  t.is(result.code, 4, result.stderr);
  t.regex(result.stderr, /read-only file system \(EROFS\)/);
  t.is(server.requests.length, 0);
});

tmpfsTest('preflight: a full file system exits 4 before any request', async (t) => {
  const server = await countingServer(t);
  const mount = tmpfsFor(t, 'size=256k');
  await writeFile(join(mount, 'ballast'), Buffer.alloc(200 * 1024)); // 56 KiB left: under MIN_FREE_BYTES
  const result = await runCli(runArgs(server.url, join(mount, 'run'), ['--requests', '5', '--concurrency', '1']));
  t.is(result.code, 4, result.stderr);
  t.regex(result.stderr, new RegExp(`has \\d+ bytes free; a run needs at least ${MIN_FREE_BYTES} to start`));
  t.is(server.requests.length, 0);
});

tmpfsTest('mid-run: the disk fills up; the run stops, exits 4, and the directory reads as incomplete with every record written', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 1, itlMs: 1 } });
  t.teardown(() => sim.close());
  const mount = tmpfsFor(t, `size=${MIN_FREE_BYTES / 1024 + 256}k`);
  const out = join(mount, 'run');
  const result = await runCli(runArgs(sim.url, out, ['--duration', '60s', '--concurrency', '20']), { timeoutMs: 60_000 });
  t.is(result.code, 4, result.stderr);
  t.regex(result.stderr, /writing .*requests\.jsonl failed: no space left on the device \(ENOSPC\)/);
  t.false(existsSync(join(out, 'run.json.tmp')), 'no half-written temporary file left behind');
  const lines = (await readFile(join(out, 'requests.jsonl'), 'utf8')).split('\n');
  const complete = lines.slice(0, -1).length; // the last piece is empty or a torn line
  t.true(complete > 100, `${complete} records were written before the disk was full`);
  const warnings: string[] = [];
  const view = await readRunDirectory(out, { onWarning: (line) => warnings.push(line) });
  const records: RequestRecord[] = [];
  for await (const record of view.records()) records.push(record);
  t.is(records.length, complete, 'the reader gives every complete line');
  if (view.complete) {
    // The failed write left room for run.json after all: then it says what happened.
    t.is(view.result.status, 'failed');
    t.regex(view.result.abort_reason ?? '', /ENOSPC/);
  } else {
    t.is(view.result.status, 'incomplete');
    t.is(view.result.summary.requests.total, complete);
  }
  t.true(view.damage.tornLines <= 1);
  const report = await runCli(['report', out, '--format', 'json']);
  t.is(report.code, 0, report.stderr);
  t.is((JSON.parse(report.stdout) as RunResult).summary.requests.total, complete);
  t.log(`${complete} records kept, ${view.complete ? 'run.json written' : 'no room for run.json: read as incomplete'}, ${view.damage.tornLines} torn line(s)`);
});

test('mid-run: requests.jsonl cannot be written (it is /dev/full); run.json says failed, why, and what was kept; exit 4', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 1, itlMs: 1 } });
  t.teardown(() => sim.close());
  const out = join(await tempDir(t), 'run');
  await mkdir(out, { recursive: true });
  symlinkSync('/dev/full', join(out, 'requests.jsonl'));
  const result = await runCli(runArgs(sim.url, out, ['--duration', '60s', '--concurrency', '4']), { timeoutMs: 60_000 });
  t.is(result.code, 4, result.stderr);
  t.regex(result.stderr, /the run stopped as failed: 0 records written, [1-9]\d* not/);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(run.status, 'failed');
  t.regex(run.abort_reason ?? '', /run directory: writing .*requests\.jsonl failed: no space left on the device \(ENOSPC\)/);
  const kept = (run.sinks as Record<string, Record<string, unknown>>)['run_directory']!;
  t.is(kept['records_written'], 0);
  t.is(kept['records_not_written'], run.summary.requests.total, 'every record the run made is accounted for as not written');
  t.true(run.summary.requests.total > 0);
  t.true(run.summary.requests.total < 2000, `the run stopped soon after the failure (${run.summary.requests.total} requests)`);
});
