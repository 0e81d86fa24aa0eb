/**
 * `llmbench schedule` end to end, as a process, against in-process simulators behind a switchable proxy on real
 * sockets, with a seconds-level cron: runs one after another (ticks that find a run going are skipped and logged),
 * a tick with the engine down leaves a failed run.json and the scheduler goes on, a slower engine is a regression
 * (logged, regression.json, llm_regression points to InfluxDB), and SIGTERM mid-run exits 0 with the run aborted.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, mkdtemp } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'ava';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { startSimulator } from '../../simulator/index.js';
import { BIN, runCli } from '../helpers/cli.js';
import { parseLine } from '../pipeline/sinks/helpers/line-keys.js';
import { startScriptedInflux } from '../pipeline/sinks/helpers/scripted-influx.js';

type Mode = 'fast' | 'slow' | 'down';

/** A TCP proxy on 127.0.0.1:0 to one of two engines, or refusing every connection ("down"). */
async function switchableEngine(ports: Record<'fast' | 'slow', number>) {
  let mode: Mode = 'fast';
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (mode === 'down') return client.destroy();
    const upstream = connect(ports[mode], '127.0.0.1');
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(next: Mode) {
      mode = next;
      for (const socket of open) socket.destroy(); // no kept-alive connection outlives a switch
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function runJsons(root: string): Promise<RunResult[]> {
  const dirs = (await readdir(root)).sort();
  return Promise.all(dirs.map(async (dir) => JSON.parse(await readFile(join(root, dir, 'run.json'), 'utf8')) as RunResult));
}

test('schedule: one run at a time, a failed tick recorded, a regression marked, SIGTERM exits 0 with the run aborted', async (t) => {
  const fast = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 15, itlMs: 3 } });
  const slow = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 90, itlMs: 3 } });
  const engine = await switchableEngine({ fast: Number(new URL(fast.url).port), slow: Number(new URL(slow.url).port) });
  const influx = await startScriptedInflux();
  t.teardown(async () => {
    await Promise.all([fast.close(), slow.close(), engine.close(), influx.close()]);
  });
  const runsDir = await mkdtemp(join(tmpdir(), 'llmbench-schedule-'));
  const child = spawn(process.execPath, [BIN, 'schedule', '--cron', '* * * * * *', '--runs-dir', runsDir, '--engine', 'vllm', '--url', engine.url, '--model', 'sim',
    '--concurrency', '2', '--duration', '1s', '--warmup', '0', '--max-tokens', '8', '--prompt-tokens', '16', '--no-monitor', '--quiet',
    '--influx-url', influx.url, '--influx-org', 'o', '--influx-bucket', 'b'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const log: string[] = [];
  let completed = 0;
  let sentTerm = false;
  let slowEngine = false;
  let regressionSeen = false;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.push(line);
    if (/ run \S+ completed:/.test(line) && ++completed === 2) engine.set('down');
    if (/ run failed: /.test(line)) {
      engine.set('slow');
      slowEngine = true;
    }
    // The slow engine's regression (the second run may differ from the first too: see the end of the test).
    if (slowEngine && /REGRESSION ttft_ms/.test(line)) regressionSeen = true;
    // The run after the regression: SIGTERM while it sends its load.
    if (regressionSeen && !sentTerm && / run \S+ \(custom\) → /.test(line)) {
      sentTerm = true;
      setTimeout(() => child.kill('SIGTERM'), 400);
    }
  });
  const exit = await new Promise<{ code: number | null; afterTermMs: number }>((resolve) => {
    let termAt = 0;
    const originalKill = child.kill.bind(child);
    child.kill = ((signal?: NodeJS.Signals) => {
      if (signal === 'SIGTERM') termAt = Date.now();
      return originalKill(signal);
    }) as typeof child.kill;
    child.on('close', (code) => resolve({ code, afterTermMs: termAt ? Date.now() - termAt : Number.NaN }));
  });
  clearTimeout(killer);
  const text = log.join('\n');
  t.is(exit.code, 0, text);
  t.true(exit.afterTermMs < 5000, `exited ${exit.afterTermMs} ms after SIGTERM`);

  const runs = await runJsons(runsDir);
  t.deepEqual(runs.map((run) => run.status), ['completed', 'completed', 'failed', 'completed', 'aborted'], text);
  // One run at a time: each started after the one before ended, and ticks in between were skipped and logged.
  for (let i = 1; i < runs.length; i++) t.true(runs[i]!.started_at >= runs[i - 1]!.ended_at, `${runs[i - 1]!.run_id} and ${runs[i]!.run_id} overlap`);
  t.regex(text, /tick at \S+ skipped: the run that started at \S+ is still going/);

  // The tick with the engine down: run.json says failed, and why.
  const failed = runs[2]!;
  t.regex(failed.abort_reason ?? '', /failed before any load/);
  t.regex(text, /run failed: \[ENGINE_\w+\] .*; recorded in .*run\.json/);

  // The slower engine: a regression against the two completed runs before (the failed one is not a baseline).
  const slowRun = runs[3]!;
  const regression = JSON.parse(await readFile(join(runsDir, slowRun.run_id, 'regression.json'), 'utf8')) as { base_runs: string[]; regressed: Array<{ metric: string; diff_pct: number }> };
  t.deepEqual(regression.base_runs, [runs[0]!.run_id, runs[1]!.run_id]);
  const ttft = regression.regressed.find((entry) => entry.metric === 'ttft_ms');
  // Configured 15 → 90 ms (+500 %); the measured base carries the client's and the proxy's time too, which on two
  // cores shared with other test files was up to ~30 ms (+99 % measured once), so the bound is a clear regression.
  t.true(ttft !== undefined && ttft.diff_pct > 50, JSON.stringify(regression.regressed));
  t.regex(text, new RegExp(`REGRESSION ttft_ms: \\+\\d+\\.\\d % .*against the 2 run\\(s\\) before \\(${runs[0]!.run_id}, ${runs[1]!.run_id}\\)`));
  // Whether the second run (same engine) is called changed against the first is not asserted: on a CI box shared
  // with other test files, consecutive 1 s runs differ for real (+2.2 % TTFT, CI 0.0…5.3 %, seen once). Compare's
  // false-positive rate is measured where the machine is quiet (bench/analytics/false-positives.ts --real).

  // llm_regression points through the InfluxDB path: the run's tags, one point per regressed metric.
  const points = influx.lines
    .filter((line) => line.startsWith('llm_regression,'))
    .map(parseLine)
    .filter((point) => point.tags.run_id === slowRun.run_id);
  t.true(points.length >= 1 && points.length === regression.regressed.length, JSON.stringify(points));
  const ttftPoint = points.find((point) => point.fields.metric === '"ttft_ms"')!;
  t.deepEqual(ttftPoint.tags, { engine: 'vllm', model: 'sim', run_id: slowRun.run_id, scenario: 'custom' });
  t.is(Number(ttftPoint.fields.base_runs), 2);
  t.true(Math.abs(Number(ttftPoint.fields.diff_pct) - ttft!.diff_pct) < 1e-9);
  t.is(new Set(points.map((point) => point.timeNs)).size, points.length, 'each point its own timestamp, none overwrites another');

  // The last run was cancelled as Ctrl-C cancels a run.
  t.regex(runs[4]!.abort_reason ?? '', /SIGTERM/);
  t.regex(text, /SIGTERM: cancelling the run that started at/);
});

test('schedule refuses a bad cron expression, time zone or scenario before any run (exit 2)', async (t) => {
  const badCron = await runCli(['schedule', '--cron', 'every night', '--engine', 'vllm', '--url', 'http://127.0.0.1:9', '--model', 'm']);
  t.is(badCron.code, 2);
  t.regex(badCron.stderr, /error\[USAGE\]: --cron "every night" is not a cron expression/);
  const badZone = await runCli(['schedule', '--cron', '0 2 * * *', '--tz', 'Mars/Olympus', '--engine', 'vllm', '--url', 'http://127.0.0.1:9', '--model', 'm']);
  t.is(badZone.code, 2);
  t.regex(badZone.stderr, /--tz "Mars\/Olympus" is not a time zone/);
  const badScenario = await runCli(['schedule', '--cron', '0 2 * * *', 'no-such-scenario.yaml', '--engine', 'vllm', '--url', 'http://127.0.0.1:9', '--model', 'm']);
  t.is(badScenario.code, 2, 'a scenario that cannot be read fails now, not at the first tick');
  t.regex(badScenario.stderr, /error\[SCENARIO_NOT_FOUND\]/);
});
