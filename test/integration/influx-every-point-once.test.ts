/**
 * Every point once (issue 18, DESIGN §6): a run written live to InfluxDB and a `llmbench push` of its run
 * directory produce the same set of points, and no series (measurement + tags + timestamp) is ever written with
 * two different field sets, with the resource monitor on and through a 4 s outage with its retries. Through the
 * real CLI and the real client, to a real VictoriaMetrics behind a recording proxy.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { startSimulator } from '../../simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { startInfluxProxy, type InfluxProxy } from '../helpers/influx-proxy.js';
import { noticeIfMissing, victoriaMetricsFor, vmTest } from '../helpers/victoria-metrics.js';
import { pointKey } from '../pipeline/sinks/helpers/line-keys.js';
import { conflictingSeries } from '../pipeline/sinks/helpers/run-dir.js';

noticeIfMissing();

/** The lines the proxy forwarded (writes it refused were not stored, and are sent again). */
function storedLines(proxy: InfluxProxy): string[] {
  return proxy.requests.filter((r) => r.path.startsWith('/api/v2/write') && r.status < 300).flatMap((r) => r.body.split('\n').filter(Boolean));
}

async function liveThenPush(t: ExecutionContext, outage: boolean) {
  const vm = await victoriaMetricsFor(t);
  const live = await startInfluxProxy(vm.url);
  const pushed = await startInfluxProxy(vm.url);
  t.teardown(() => Promise.all([live.close(), pushed.close()]).then(() => undefined));
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 3 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-once-')), 'run');
  const timers = outage ? [setTimeout(() => live.refuseWrites(true), 3500), setTimeout(() => live.refuseWrites(false), 7500)] : [];
  t.teardown(() => timers.forEach(clearTimeout));
  const influx = (url: string) => ['--influx-url', url, '--influx-org', 'bench', '--influx-bucket', 'llm'];
  const run = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '8', '--duration', '10s', '--warmup', '2',
    '--max-tokens', '12', '--prompt-tokens', '8', '--gpu', 'off', '--monitor-interval', '500ms', '--quiet', '--out', out, ...influx(live.url)], { timeoutMs: 90_000 });
  t.is(run.code, 0, run.stderr);
  const result = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.like(result.sinks?.influxdb, { lost: 0 });
  if (outage) t.true(live.requests.some((r) => r.status === 503), 'the outage really refused writes');
  const push = await runCli(['push', out, ...influx(pushed.url)]);
  t.is(push.code, 0, push.stderr);

  const liveLines = storedLines(live);
  const pushLines = storedLines(pushed);
  for (const measurement of ['llm_request', 'llm_token', 'llm_window', 'llm_run', 'host', 'process']) {
    t.true(liveLines.some((line) => line.startsWith(`${measurement},`)), `live wrote ${measurement}`);
  }
  t.deepEqual([...new Set(pushLines)].sort(), [...new Set(liveLines)].sort(), 'live and push wrote the same points');
  t.deepEqual(conflictingSeries([...liveLines, ...pushLines], pointKey), [], 'no series written with two field sets');
  t.is(result.windows?.late_records, 0);
  t.is(liveLines.filter((line) => line.startsWith('llm_window,')).length, new Set(liveLines.filter((line) => line.startsWith('llm_window,')).map(pointKey)).size, 'each window once');
}

vmTest('a live run and its push are the same point set, no series written twice with different fields', (t) => liveThenPush(t, false));
vmTest('the same through a 4 s outage with retries: still the same point set, no conflicting series, lost 0', (t) => liveThenPush(t, true));
