/**
 * Per-request failures are data: a simulator injecting each fault gives records with the right error kind,
 * and the run still completes. An abort condition on the error rate stops a failing run early.
 */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Faults } from '../../simulator/index.js';
import type { ErrorKind, RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runCli } from '../helpers/cli.js';

async function runAgainst(faults: Partial<Faults>, extra: string[] = [], engine = 'vllm'): Promise<{ code: number | null; run: RunResult; records: RequestRecord[]; stderr: string }> {
  const sim = await startSimulator({ engine: engine as 'vllm', seed: 11, fixed: { ttftMs: 5, itlMs: 5 }, faults });
  try {
    const out = join(await mkdtemp(join(tmpdir(), 'llmbench-faults-')), 'run');
    const result = await runCli(['run', '--engine', engine, '--url', sim.url, '--model', 'sim', '--requests', '30', '--concurrency', '3',
      '--warmup', '0', '--max-tokens', '12', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--quiet', ...extra], { timeoutMs: 60_000 });
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
    const records = (await readFile(join(out, 'requests.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
    return { code: result.code, run, records, stderr: result.stderr };
  } finally {
    await sim.close();
  }
}

const cases: Array<[string, Partial<Faults>, ErrorKind]> = [
  ['error status 500', { errorRate: 1, errorStatus: 500 }, 'http_5xx'],
  ['error status 429', { errorRate: 1, errorStatus: 429 }, 'overloaded'],
  ['mid-stream disconnect', { disconnectRate: 1 }, 'connection_reset'],
  ['malformed chunk', { malformedRate: 1 }, 'protocol'],
  ['engine error event after a 200', { midStreamErrorRate: 1 }, 'protocol'],
];

for (const [name, faults, kind] of cases) {
  test(`${name}: every request is an error of kind ${kind}, the run completes`, async (t) => {
    const { code, run, records } = await runAgainst(faults);
    t.is(code, 0);
    t.is(run.status, 'completed');
    t.is(records.length, 30);
    t.true(records.every((r) => r.status === 'error' && r.error_kind === kind), JSON.stringify(records.map((r) => r.error_kind)));
    t.true(records.every((r) => typeof r.error_message === 'string' && r.error_message.length > 0));
    t.is(run.summary.errors_by_kind[kind], 30);
    t.is(run.summary.error_rate, 1);
  });
}

test('a stall longer than the idle timeout is timeout_idle', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-faults-'));
  const scenario = join(dir, 'idle.yaml');
  await writeFile(scenario, 'name: idle\nextends: quick\nworkload: { timeouts: { idle: 300ms } }\n');
  const { run, records } = await runAgainst({ stallRate: 1, stallMs: 1500 }, [scenario]);
  t.true(records.every((r) => r.error_kind === 'timeout_idle'), JSON.stringify(records.map((r) => r.error_kind)));
  t.is(run.summary.requests.error, 30);
});

test('abort.max_error_rate stops a failing run early, marks it aborted and exits 99', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-faults-'));
  const scenario = join(dir, 'abort.yaml');
  await writeFile(scenario, 'name: abort-on-errors\nextends: quick\nabort: { max_error_rate: 0.5, min_requests: 5 }\n');
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 5 }, faults: { errorRate: 1, errorStatus: 503 } });
  t.teardown(() => sim.close());
  const out = join(dir, 'run');
  const result = await runCli(['run', scenario, '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '2', '--duration', '30s',
    '--warmup', '0', '--max-tokens', '4', '--prompt-tokens', '4', '--out', out, '--no-monitor', '--quiet']);
  t.is(result.code, 99, result.stderr);
  t.regex(result.stderr, /the run was aborted: error rate/);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(run.status, 'aborted');
  t.regex(run.abort_reason ?? "", /error rate 1\.000 over \d+ requests \(abort\.max_error_rate = 0\.5\)/);
  t.true(run.summary.requests.total < 200, `${run.summary.requests.total} requests before the abort`);
});
