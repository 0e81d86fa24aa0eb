/**
 * A scripted Docker Engine API on a unix socket, answering in Docker's own JSON shapes (API 1.47, cgroup v2;
 * shapes from docs.docker.com/reference/api/engine: SystemVersion, ContainerInspectResponse,
 * ContainerStatsResponse): GET /_ping, /version, /containers/{id}/json, /containers/{id}/stats, and
 * POST /containers/{id}/start. Paths may carry a /v1.NN prefix, as clients send them.
 */
import { createServer, type Server } from 'node:http';

export interface ScriptedContainer {
  readonly id: string;
  readonly name: string;
  running: boolean;
  /** Set to make the container die this many inspects after start (cold-start failure). */
  exitAfterInspects?: number;
  /** Successive stats answers (cumulative counters advance as in a real container); the last one repeats. */
  stats: object[];
  statsServed: number;
  startedAt?: string;
}

export interface DockerApiServer {
  readonly socketPath: string;
  readonly containers: Map<string, ScriptedContainer>;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startDockerApi(socketPath: string, containers: ScriptedContainer[]): Promise<DockerApiServer> {
  const byName = new Map(containers.map((c) => [c.name, c]));
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://docker');
    const path = url.pathname.replace(/^\/v1\.\d+/, '');
    requests.push(`${request.method} ${path}${url.search}`);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'api-version': '1.47', server: 'Docker/27.3.1 (linux)' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (path === '/_ping') return response.end('OK');
    if (path === '/version') return json(200, VERSION);
    const match = /^\/containers\/([^/]+)\/(json|stats|start)$/.exec(path);
    const container = match ? (byName.get(match[1]!) ?? [...byName.values()].find((c) => c.id.startsWith(match[1]!))) : undefined;
    if (!match) return json(404, { message: 'page not found' });
    if (!container) return json(404, { message: `No such container: ${match[1]}` });
    if (match[2] === 'json' && request.method === 'GET') {
      if (container.running && container.exitAfterInspects !== undefined && container.exitAfterInspects-- <= 0) container.running = false;
      return json(200, inspect(container));
    }
    if (match[2] === 'start' && request.method === 'POST') {
      if (container.running) return json(304, undefined);
      container.running = true;
      container.startedAt = new Date().toISOString();
      return json(204, undefined);
    }
    if (match[2] === 'stats' && request.method === 'GET') {
      const oneShot = url.searchParams.get('one-shot') === 'true';
      const stats = structuredClone(container.stats[Math.min(container.statsServed++, container.stats.length - 1)]!) as Record<string, unknown>;
      // one-shot: the daemon answers with a single reading and an empty precpu_stats.
      if (oneShot) stats.precpu_stats = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
      return json(200, stats);
    }
    return json(405, { message: 'method not allowed' });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    containers: byName,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const VERSION = {
  Platform: { Name: 'Docker Engine - Community' },
  Components: [{ Name: 'Engine', Version: '27.3.1', Details: { ApiVersion: '1.47', Arch: 'amd64', Os: 'linux' } }],
  Version: '27.3.1',
  ApiVersion: '1.47',
  MinAPIVersion: '1.24',
  GitCommit: '41ca978',
  GoVersion: 'go1.22.7',
  Os: 'linux',
  Arch: 'amd64',
  KernelVersion: '6.8.0-45-generic',
  BuildTime: '2024-09-20T11:41:17.000000000+00:00',
};

function inspect(container: ScriptedContainer) {
  return {
    Id: container.id,
    Created: '2026-11-27T18:00:00.000000000Z',
    Path: 'python3',
    Args: ['-m', 'vllm.entrypoints.openai.api_server'],
    State: {
      Status: container.running ? 'running' : 'exited',
      Running: container.running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: container.running ? 4242 : 0,
      ExitCode: container.running ? 0 : 1,
      Error: '',
      StartedAt: container.startedAt ?? '0001-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    Image: 'sha256:5a1b9c6d',
    Name: `/${container.name}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    Config: { Hostname: container.id.slice(0, 12), Image: 'vllm/vllm-openai:v0.11.0', Cmd: ['--model', 'meta-llama/Llama-3.1-8B-Instruct'] },
    HostConfig: { NetworkMode: 'bridge', Memory: 0, NanoCpus: 0 },
    NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' } } },
  };
}

/** A cgroup v2 stats reading (ContainerStatsResponse) with the given cumulative counters. */
export function statsReading(options: {
  readIso: string;
  totalUsageNs: number;
  systemUsageNs: number;
  onlineCpus: number;
  memoryUsage: number;
  inactiveFile: number;
  memoryLimit: number;
  rxBytes: number;
  txBytes: number;
  readBytes: number;
  writeBytes: number;
}): object {
  const cpu = {
    cpu_usage: { total_usage: options.totalUsageNs, usage_in_kernelmode: Math.round(options.totalUsageNs * 0.2), usage_in_usermode: Math.round(options.totalUsageNs * 0.8) },
    system_cpu_usage: options.systemUsageNs,
    online_cpus: options.onlineCpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
  return {
    name: '/vllm',
    id: 'b6f0c1d2e3a4f5061728394a5b6c7d8e9f00112233445566778899aabbccddee',
    read: options.readIso,
    preread: '0001-01-01T00:00:00Z',
    pids_stats: { current: 57, limit: 4611686018427387903 },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 254, minor: 0, op: 'read', value: options.readBytes },
        { major: 254, minor: 0, op: 'write', value: options.writeBytes },
      ],
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu,
    precpu_stats: cpu,
    memory_stats: {
      usage: options.memoryUsage,
      stats: { active_anon: 1073741824, active_file: 268435456, anon: 1342177280, file: 805306368, inactive_anon: 268435456, inactive_file: options.inactiveFile, kernel: 16777216, shmem: 0 },
      limit: options.memoryLimit,
    },
    networks: {
      eth0: { rx_bytes: options.rxBytes, rx_packets: 120, rx_errors: 0, rx_dropped: 0, tx_bytes: options.txBytes, tx_packets: 80, tx_errors: 0, tx_dropped: 0 },
    },
  };
}
