/**
 * `llmbench demo` (npm start): the in-process simulator and the quick scenario, end to end. The simulator
 * serves from the coordinator's thread, so the run leaves thread priorities alone.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runCli } from '../helpers/cli.js';

test('demo runs the quick scenario against the in-process simulator and keeps thread priorities as they were', async (t) => {
  t.timeout(120_000);
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-demo-')), 'run');
  const result = await runCli(['demo', '--out', out]);
  t.is(result.code, 0, result.stderr);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.true(run.summary.requests.ok > 0);
  t.is(run.summary.requests.error, 0);
  t.is(run.client_health.tuning?.coordinator_nice, undefined);
  t.is(run.client_health.tuning?.worker_nice, undefined);
});
