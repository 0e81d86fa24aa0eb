/**
 * Client CPU time for the same streaming work with resource monitoring on (1 Hz, everything a run starts:
 * host, per-core, client process, GPU auto, the engine's /metrics and its process) and off (--no-monitor),
 * alternating rounds so machine noise hits both alike. The engine is a separate process (token-server.mjs).
 *
 *   npx tsx bench/monitor/overhead.ts [rounds=5] [requests=400] [concurrency=8]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { createMonitor } from '../../collectors/resources/monitor.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const REQUESTS = Number(process.argv[3] ?? 400);
const CONCURRENCY = Number(process.argv[4] ?? 8);
const IDLE_S = 10;

async function startServer(): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, [new URL('token-server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: line.replace('listening on ', ''), pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

/** The work: REQUESTS streamed chat completions, CONCURRENCY at a time, every SSE chunk parsed. */
async function work(url: string): Promise<number> {
  const pool = new Pool(url, { connections: CONCURRENCY });
  let tokens = 0;
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', body: '{"stream":true}', headers: { 'content-type': 'application/json' } });
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += chunk.toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (event.startsWith('data: {')) tokens += JSON.parse(event.slice(6)).choices[0].delta.content ? 1 : 0;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await pool.close();
  return tokens;
}

async function round(url: string, enginePid: number, monitored: boolean): Promise<{ cpuMs: number; wallMs: number; ticks: number }> {
  const monitor = monitored
    ? createMonitor({ runId: 'bench', intervalMs: 1000, gpu: 'auto', engine: 'vllm', engineBaseUrl: url, serverMetrics: 'auto', enginePid })
    : undefined;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await monitor?.start({ runId: 'bench', onPoints: () => undefined, onNotice: () => undefined });
  await work(url);
  const summary = await monitor?.stop();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start, ticks: summary?.ticks ?? 0 };
}

/** The one-off part: opening every sampler (NVML dlopen, PATH search, /metrics probe, process lookup) and closing. */
async function startStopCpuMs(url: string, enginePid: number): Promise<number> {
  const monitor = createMonitor({ runId: 'bench', intervalMs: 1000, gpu: 'auto', engine: 'vllm', engineBaseUrl: url, serverMetrics: 'auto', enginePid });
  const cpu = process.cpuUsage();
  await monitor.start({ runId: 'bench', onPoints: () => undefined, onNotice: () => undefined });
  await monitor.stop();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startServer();
try {
  await work(server.url); // warm-up: JIT, connections
  const on: Awaited<ReturnType<typeof round>>[] = [];
  const off: Awaited<ReturnType<typeof round>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await round(server.url, server.pid, false));
    on.push(await round(server.url, server.pid, true));
  }
  const onCpu = median(on.map((r) => r.cpuMs));
  const offCpu = median(off.map((r) => r.cpuMs));
  const wallS = median(on.map((r) => r.wallMs)) / 1000;
  console.log(`${REQUESTS} streamed requests × ${ROUNDS} rounds, concurrency ${CONCURRENCY}; client CPU ms per round:`);
  console.log(`  monitoring off: ${off.map((r) => r.cpuMs.toFixed(0)).join(' ')}  median ${offCpu.toFixed(0)}`);
  console.log(`  monitoring on:  ${on.map((r) => r.cpuMs.toFixed(0)).join(' ')}  median ${onCpu.toFixed(0)}  (${median(on.map((r) => r.ticks))} samples in ${wallS.toFixed(1)} s)`);
  console.log(`  difference: ${(onCpu - offCpu).toFixed(1)} ms over ${wallS.toFixed(1)} s = ${((onCpu - offCpu) / wallS / 10).toFixed(2)} % of one core; ratio on/off ${(onCpu / offCpu).toFixed(3)}`);
  console.log(`  least disturbed rounds (min): off ${Math.min(...off.map((r) => r.cpuMs)).toFixed(0)}, on ${Math.min(...on.map((r) => r.cpuMs)).toFixed(0)}`);
  const startStop: number[] = [];
  for (let i = 0; i < 3; i++) startStop.push(await startStopCpuMs(server.url, server.pid));
  console.log(`  of which start + stop (one-off per run): ${median(startStop).toFixed(1)} ms`);
  // Steady state without load: the monitor alone for IDLE_S seconds against the same idle time without it.
  const idleCpuMs = async (monitored: boolean) => {
    const monitor = monitored
      ? createMonitor({ runId: 'bench', intervalMs: 1000, gpu: 'auto', engine: 'vllm', engineBaseUrl: server.url, serverMetrics: 'auto', enginePid: server.pid })
      : undefined;
    await monitor?.start({ runId: 'bench', onPoints: () => undefined, onNotice: () => undefined });
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
    const used = process.cpuUsage(cpu);
    await monitor?.stop();
    return (used.user + used.system) / 1000;
  };
  const idleOn: number[] = [];
  const idleOff: number[] = [];
  for (let i = 0; i < 3; i++) {
    idleOff.push(await idleCpuMs(false));
    idleOn.push(await idleCpuMs(true));
  }
  const perSecond = (Math.min(...idleOn) - Math.min(...idleOff)) / IDLE_S;
  console.log(`  idle loop, ${IDLE_S} s × 3: off ${idleOff.map((v) => v.toFixed(0)).join(' ')} ms, on ${idleOn.map((v) => v.toFixed(0)).join(' ')} ms → ${perSecond.toFixed(2)} ms CPU per second = ${(perSecond / 10).toFixed(2)} % of one core`);
} finally {
  server.stop();
}
