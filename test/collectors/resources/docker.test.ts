import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Point } from '../../../pipeline/core/point.js';
import { containerFields, dockerCpuPercent, dockerMemoryUsedBytes, type DockerStats } from '../../../collectors/resources/docker/docker-stats.js';
import { measureColdStart } from '../../../collectors/resources/docker/cold-start.js';
import { createMonitor } from '../../../collectors/resources/monitor.js';
import { startDockerApi, statsReading, type ScriptedContainer } from './helpers/docker-api-server.js';
import { ManualClock } from './helpers/manual-clock.js';
import { waitFor } from './helpers/text-server.js';

// The example of Docker's API reference (ContainerStatsResponse, cgroup v1 era).
const DOCS_EXAMPLE: DockerStats = {
  read: '2015-01-08T22:57:31.547920715Z',
  pids_stats: { current: 3 },
  networks: { eth0: { rx_bytes: 5338, tx_bytes: 648 }, eth5: { rx_bytes: 4641, tx_bytes: 690 } },
  memory_stats: { stats: { total_inactive_file: 0, inactive_file: 0, cache: 0 }, usage: 6537216, limit: 67108864 },
  blkio_stats: {},
  cpu_stats: { cpu_usage: { percpu_usage: [8646879, 24472255, 36438778, 30657443], total_usage: 100215355 }, system_cpu_usage: 739306590000000, online_cpus: 4 },
  precpu_stats: { cpu_usage: { percpu_usage: [8646879, 24350896, 36438778, 30657443], total_usage: 100093996 }, system_cpu_usage: 9492140000000, online_cpus: 4 },
};

test('docker stats math on the API reference example: CPU % the way `docker stats` computes it', (t) => {
  const expected = ((100215355 - 100093996) / (739306590000000 - 9492140000000)) * 4 * 100;
  t.is(dockerCpuPercent(DOCS_EXAMPLE.cpu_stats, DOCS_EXAMPLE.precpu_stats), expected);
  const { fields } = containerFields(DOCS_EXAMPLE, 1000);
  t.deepEqual(fields, {
    cpu_pct: expected,
    mem_used_bytes: 6537216,
    mem_limit_bytes: 67108864,
    net_rx_bytes: 5338 + 4641,
    net_tx_bytes: 648 + 690,
    pids: 3,
  });
});

test('memory excludes inactive page cache (cgroup v1 total_inactive_file, v2 inactive_file); CPU needs two readings', (t) => {
  t.is(dockerMemoryUsedBytes({ usage: 1000, stats: { total_inactive_file: 300 } }), 700);
  t.is(dockerMemoryUsedBytes({ usage: 1000, stats: { inactive_file: 400 } }), 600);
  t.is(dockerMemoryUsedBytes({ usage: 1000, stats: { inactive_file: 4000 } }), 1000);
  t.is(dockerCpuPercent({ cpu_usage: { total_usage: 5 }, system_cpu_usage: 10, online_cpus: 2 }, { cpu_usage: { total_usage: 0 } }), undefined);
  // No online_cpus (old daemons): the per-CPU list gives the count, 5/100 × 3 × 100 = 15 %.
  t.is(dockerCpuPercent({ cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 2] }, system_cpu_usage: 110 }, { cpu_usage: { total_usage: 0 }, system_cpu_usage: 10 })?.toFixed(9), (15).toFixed(9));
});

const GiB = 1024 ** 3;
function vllmContainer(): ScriptedContainer {
  const base = { onlineCpus: 16, memoryLimit: 128 * GiB, inactiveFile: 0.5 * GiB };
  return {
    id: 'b6f0c1d2e3a4f5061728394a5b6c7d8e9f00112233445566778899aabbccddee',
    name: 'vllm',
    running: true,
    statsServed: 0,
    stats: [
      statsReading({ ...base, readIso: '2026-11-27T18:35:07.480123456Z', totalUsageNs: 40e9, systemUsageNs: 5_000_000e9, memoryUsage: 2 * GiB, rxBytes: 5338, txBytes: 648, readBytes: 1343488, writeBytes: 4096 }),
      // one second later: 1.5 CPU-seconds used out of 16 CPU-seconds, 1000 B in, 400 B out
      statsReading({ ...base, readIso: '2026-11-27T18:35:08.480123456Z', totalUsageNs: 41.5e9, systemUsageNs: 5_000_016e9, memoryUsage: 2.5 * GiB, rxBytes: 6338, txBytes: 1048, readBytes: 1343488, writeBytes: 8192 }),
    ],
  };
}

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmbench-docker-'));
});
test.after.always(() => rm(dir, { recursive: true, force: true }));

test('--engine-container against the Docker API: container points with CPU %, memory, network and I/O', async (t) => {
  const api = await startDockerApi(join(dir, 'sampling.sock'), [vllmContainer()]);
  t.teardown(() => api.close());
  const clock = new ManualClock(7_000_000);
  const points: Point[] = [];
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', host: 'h', clock, gpu: 'off', hostMetrics: false, clientProcess: false, engineContainer: 'vllm', dockerSocketPath: api.socketPath });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: (line) => notices.push(line) });
  await waitFor(() => points.length === 1, 'first stats');
  await clock.advanceTo(7_001_000);
  await waitFor(() => points.length === 2, 'second stats');
  const summary = await monitor.stop();

  t.deepEqual(notices, [`Container: sampling vllm (running, vllm/vllm-openai:v0.11.0) through Docker at unix://${api.socketPath}`]);
  t.deepEqual(points[0], {
    measurement: 'container',
    tags: { run_id: 'r1', host: 'h', container: 'vllm' },
    fields: { mem_used_bytes: 1.5 * GiB, mem_limit_bytes: 128 * GiB, net_rx_bytes: 5338, net_tx_bytes: 648, disk_read_bytes: 1343488, disk_write_bytes: 4096, pids: 57 },
    time_ms: 7_000_000,
  });
  t.deepEqual(points[1]!.fields, {
    cpu_pct: 150, // (1.5e9 / 16e9) × 16 CPUs × 100: one and a half cores
    mem_used_bytes: 2 * GiB,
    mem_limit_bytes: 128 * GiB,
    net_rx_bytes: 6338,
    net_tx_bytes: 1048,
    net_rx_bps: 1000,
    net_tx_bps: 400,
    disk_read_bytes: 1343488,
    disk_write_bytes: 8192,
    pids: 57,
  });
  t.true(api.requests.includes('GET /containers/vllm/stats?stream=false&one-shot=true'), api.requests.join('\n'));
  t.is(summary.samplers.Container?.source, 'docker');
});

test('a container that does not exist: the daemon says so, in one line', async (t) => {
  const api = await startDockerApi(join(dir, 'missing.sock'), [vllmContainer()]);
  t.teardown(() => api.close());
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', gpu: 'off', hostMetrics: false, clientProcess: false, engineContainer: 'tgi', dockerSocketPath: api.socketPath });
  await monitor.start({ runId: 'r1', onPoints: () => undefined, onNotice: (line) => notices.push(line) });
  await monitor.stop();
  t.deepEqual(notices, [`Container: Docker at unix://${api.socketPath} answered 404: No such container: tgi; container sampling off`]);
});

test('Docker unreachable: one clear line, the monitor goes on', async (t) => {
  const socketPath = join(dir, 'nobody-listens.sock');
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', gpu: 'off', hostMetrics: false, engineContainer: 'vllm', dockerSocketPath: socketPath });
  await monitor.start({ runId: 'r1', onPoints: () => undefined, onNotice: (line) => notices.push(line) });
  const summary = await monitor.stop();
  t.is(notices.length, 1);
  t.is(notices[0], `Container: Docker API unreachable at unix://${socketPath} (connect ENOENT ${socketPath}); container sampling off`);
  t.truthy(summary.samplers['Client process'], 'the other samplers still ran');
});

/** An engine health endpoint: 503 "loading" for the first `loadingPolls` requests, then 200. */
async function startHealth(loadingPolls: number) {
  let polls = 0;
  const server = createServer((_request, response) => {
    polls++;
    response.writeHead(polls > loadingPolls ? 200 : 503, { 'content-type': 'application/json' });
    response.end(polls > loadingPolls ? '{"status":"ok"}' : '{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    polls: () => polls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('--cold-start: starts the stopped container, then times healthy and first token', async (t) => {
  const container = { ...vllmContainer(), running: false };
  const api = await startDockerApi(join(dir, 'cold.sock'), [container]);
  const health = await startHealth(3);
  t.teardown(async () => {
    await api.close();
    await health.close();
  });
  let healthyWhenAsked = false;
  const result = await measureColdStart({
    container: 'vllm',
    healthUrl: health.url,
    socketPath: api.socketPath,
    pollIntervalMs: 5,
    firstToken: async () => {
      healthyWhenAsked = health.polls() === 4;
    },
  });
  t.is(result.status, 'measured');
  if (result.status !== 'measured') return;
  t.is(result.health_polls, 4);
  t.true(healthyWhenAsked, 'the first request goes out only once healthy');
  t.true(result.time_to_healthy_ms >= result.start_call_ms);
  t.true(result.time_to_first_token_ms! >= result.time_to_healthy_ms);
  t.true(container.running);
  t.true(api.requests.includes('POST /containers/vllm/start'));
});

test('--cold-start on a running container is skipped with the reason and the fix', async (t) => {
  const api = await startDockerApi(join(dir, 'running.sock'), [vllmContainer()]);
  t.teardown(() => api.close());
  const result = await measureColdStart({ container: 'vllm', healthUrl: 'http://127.0.0.1:1/health', socketPath: api.socketPath });
  t.deepEqual(result, { status: 'skipped', container: 'vllm', reason: 'container vllm is already running; stop it first (docker stop vllm) to measure a cold start' });
});

test('--cold-start: a container that dies while loading fails with its exit code, not a timeout', async (t) => {
  const container: ScriptedContainer = { ...vllmContainer(), running: false, exitAfterInspects: 0 };
  const api = await startDockerApi(join(dir, 'dies.sock'), [container]);
  const health = await startHealth(Number.POSITIVE_INFINITY);
  t.teardown(async () => {
    await api.close();
    await health.close();
  });
  const result = await measureColdStart({ container: 'vllm', healthUrl: health.url, socketPath: api.socketPath, pollIntervalMs: 5 });
  t.deepEqual(result, { status: 'failed', container: 'vllm', reason: 'container vllm exited with code 1 while starting; see docker logs vllm' });
});

test('--cold-start with Docker unreachable: skipped, one line', async (t) => {
  const socketPath = join(dir, 'absent.sock');
  const result = await measureColdStart({ container: 'vllm', healthUrl: 'http://127.0.0.1:1/health', socketPath });
  t.deepEqual(result, { status: 'skipped', container: 'vllm', reason: `Docker API unreachable at unix://${socketPath} (connect ENOENT ${socketPath})` });
});
