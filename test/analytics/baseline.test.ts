/** The recent runs a scheduled run is compared with (analytics/baseline.ts), read from a run directory root. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { compareWithRecent, recentRuns } from '../../analytics/baseline.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runResult } from '../pipeline/sinks/helpers/records.js';

function run(id: string, day: number, overrides: Partial<RunResult> = {}): RunResult {
  return runResult({
    run_id: id,
    started_at: `2026-11-${String(day).padStart(2, '0')}T02:00:00.000Z`,
    ended_at: `2026-11-${String(day).padStart(2, '0')}T02:01:00.000Z`,
    scenario: { name: 'nightly' },
    workload_fingerprint: { hash: 'aaaa111122223333', fields: {} },
    ...overrides,
  });
}

test('recent runs: the newest N completed, valid runs of the same scenario and fingerprint that started before, oldest first', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'llmbench-baseline-'));
  const runs = [
    run('d01', 1),
    run('d02', 2),
    run('d03', 3),
    run('d04-failed', 4, { status: 'failed' }),
    run('d05-invalid', 5, { valid: false }),
    run('d06-other-workload', 6, { workload_fingerprint: { hash: 'bbbb', fields: {} } }),
    run('d07-other-scenario', 7, { scenario: { name: 'other' } }),
    run('d08', 8),
    run('d09-new', 9),
    run('d10-later', 10),
  ];
  for (const result of runs) {
    await mkdir(join(root, result.run_id));
    await writeFile(join(root, result.run_id, 'run.json'), JSON.stringify(result));
  }
  await mkdir(join(root, 'not-a-run'));
  const newRun = runs[8]!;
  t.deepEqual((await recentRuns(root, newRun, 3)).map((side) => side.result.run_id), ['d02', 'd03', 'd08']);
  t.deepEqual((await recentRuns(root, newRun, 10)).map((side) => side.result.run_id), ['d01', 'd02', 'd03', 'd08']);
  t.deepEqual(await recentRuns(root, runs[0]!, 5), [], 'the first run has none before it');
  t.is(compareWithRecent({ dir: root, result: newRun, data: (await recentRuns(root, newRun, 1))[0]!.data }, []), undefined);
});
