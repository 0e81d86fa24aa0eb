/**
 * What one sample of each resource sampler costs this process, in CPU microseconds (user + system, from
 * process.cpuUsage) and wall microseconds, averaged over many samples. Also what systeminformation's Linux
 * host calls cost, which is why the host sampler reads /proc itself (host-sampler.ts), and the CPU share of
 * the event-loop-delay meter's 10 ms timer.
 *
 *   npx tsx bench/monitor/sampler-cost.ts [samples=200]
 *
 * Each figure is the least disturbed of three rounds (the minimum mean): on a shared VM the noise only ever
 * adds CPU time, so the minimum is the closest to the sampler's own cost.
 * Child processes (systeminformation's shell pipelines, nvidia-smi) are not in process.cpuUsage(); their cost
 * is shown separately from /proc/self/stat's cutime/cstime where it matters.
 */
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import si from 'systeminformation';
import { openHostSampler } from '../../collectors/resources/host/host-sampler.js';
import { ClientProcessSampler } from '../../collectors/resources/process/client-process-sampler.js';
import { EngineProcessSampler } from '../../collectors/resources/process/engine-process-sampler.js';
import { EventLoopDelayMeter } from '../../collectors/resources/process/event-loop-delay.js';
import { DEFAULT_EVENT_LOOP_RESOLUTION_MS } from '../../collectors/resources/process/client-process-sampler.js';
import { ServerMetricsSampler } from '../../collectors/resources/server-metrics/server-metrics-sampler.js';
import { DcgmSampler } from '../../collectors/resources/gpu/dcgm-sampler.js';
import { NvmlSampler } from '../../collectors/resources/gpu/nvml-sampler.js';
import { NvmlLibrary } from '../../collectors/resources/gpu/nvml-library.js';
import { parseQueryLine } from '../../collectors/resources/gpu/nvidia-smi-csv.js';
import type { Sampler } from '../../collectors/resources/sampler.js';

const SAMPLES = Number(process.argv[2] ?? 200);
const tags = { run_id: 'bench', host: 'bench' };
const signal = new AbortController().signal;

interface Cost {
  name: string;
  cpuUs: number;
  wallUs: number;
  childCpuUs?: number;
  note?: string;
}

async function childCpuUs(): Promise<number> {
  // /proc/self/stat fields 16 and 17: CPU of waited-for children, in 1/100 s.
  const text = await readFile('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10_000;
}

const ROUNDS = 3;

async function measure(name: string, samples: number, once: (i: number) => unknown, note?: string): Promise<Cost> {
  await once(-1); // prime (first reading, JIT)
  let best: Cost | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const children = await childCpuUs();
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < samples; i++) await once(i);
    const wallUs = ((performance.now() - start) * 1000) / samples;
    const used = process.cpuUsage(cpu);
    const childUs = ((await childCpuUs()) - children) / samples;
    const cost: Cost = { name, cpuUs: (used.user + used.system) / samples, wallUs, ...(childUs > 0 ? { childCpuUs: childUs } : {}), ...(note ? { note } : {}) };
    if (!best || cost.cpuUs < best.cpuUs) best = cost;
  }
  return best!;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const tick = (sampler: Sampler, i: number) => sampler.sample({ index: i + 1, timeMs: performance.timeOrigin + performance.now(), signal });

async function main(): Promise<void> {
  const costs: Cost[] = [];
  const host = await openHostSampler(tags, 'procfs');
  costs.push(await measure('host (procfs: stat, meminfo, net/dev, diskstats)', SAMPLES, (i) => tick(host, i)));
  const hostSi = await openHostSampler(tags, 'systeminformation');
  // systeminformation caches currentLoad for 200 ms and networkStats for 500 ms: calls are spaced 600 ms apart,
  // and only the call itself is timed.
  const spaced = (call: () => Promise<unknown>) => async () => {
    await pause(600);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await call();
    spacedCost.wallUs += (performance.now() - start) * 1000;
    const used = process.cpuUsage(cpu);
    spacedCost.cpuUs += used.user + used.system;
  };
  const spacedCost = { cpuUs: 0, wallUs: 0 };
  const siCalls: Array<[string, () => Promise<unknown>, string]> = [
    ['host via systeminformation (fallback)', async () => hostSi.sample({ index: 1, timeMs: performance.timeOrigin + performance.now(), signal }), ''],
    ['  si.currentLoad() alone', () => si.currentLoad(), 'execSync `cat /proc/stat | grep cpu`: blocks the loop'],
    ['  si.networkStats("*") alone', () => si.networkStats('*'), 'a shell with 7 cats per interface'],
    ['  si.fsStats() alone', () => si.fsStats(), 'lsblk + cat /proc/diskstats'],
  ];
  for (const [name, call, note] of siCalls) {
    const children = await childCpuUs();
    spacedCost.cpuUs = 0;
    spacedCost.wallUs = 0;
    const once = spaced(call);
    for (let i = 0; i < 10; i++) await once();
    costs.push({ name, cpuUs: spacedCost.cpuUs / 10, wallUs: spacedCost.wallUs / 10, childCpuUs: ((await childCpuUs()) - children) / 10, ...(note ? { note } : {}) });
  }

  const client = new ClientProcessSampler(tags);
  costs.push(await measure('client process (cpuUsage, rss, loop delay)', SAMPLES, (i) => tick(client, i)));
  client.stop();
  const engine = new EngineProcessSampler(process.pid, tags, () => undefined);
  costs.push(await measure('engine process (/proc/<pid>, tree rescan every 10th)', SAMPLES, (i) => tick(engine, i)));

  // Prometheus scrapes from a local server: a vLLM-sized page.
  const vllm = await readFile(new URL('../../test/collectors/resources/fixtures/vllm-metrics.txt', import.meta.url), 'utf8');
  const dcgm = await readFile(new URL('../../test/collectors/resources/fixtures/dcgm-exporter-metrics.txt', import.meta.url), 'utf8');
  // A real vLLM page is ~40–100 KB, mostly histogram buckets; pad the fixture with buckets to that size.
  const bucketLines = Array.from({ length: 600 }, (_, i) => `vllm:request_prompt_tokens_bucket{engine="0",le="${i + 1}.0",model_name="m"} ${i}.0`).join('\n');
  const bigVllm = `${vllm}# HELP vllm:request_prompt_tokens Number of prefill tokens processed.\n# TYPE vllm:request_prompt_tokens histogram\n${bucketLines}\n`;
  const server = createServer((request, response) => response.end(request.url === '/dcgm' ? dcgm : request.url === '/big' ? bigVllm : vllm));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const metrics = new ServerMetricsSampler(`${base}/metrics`, 5000, 'bench', 'vllm');
  costs.push(await measure(`server metrics (vLLM page, ${vllm.length} B: HTTP + parse)`, SAMPLES, (i) => tick(metrics, i)));
  const bigMetrics = new ServerMetricsSampler(`${base}/big`, 5000, 'bench', 'vllm');
  costs.push(await measure(`server metrics (vLLM page with histograms, ${bigVllm.length} B)`, SAMPLES, (i) => tick(bigMetrics, i)));
  const dcgmSampler = new DcgmSampler(`${base}/dcgm`, 5000, tags);
  costs.push(await measure(`GPU via DCGM exporter (2 GPUs, ${dcgm.length} B)`, SAMPLES, (i) => tick(dcgmSampler, i)));
  await Promise.all([metrics.stop(), bigMetrics.stop(), dcgmSampler.stop()]);
  server.close();

  const line = '0, NVIDIA H200, 99, 25, 1139, 143771, 693.59, 700.00, 55, 1500, 3201, 0x0000000000000004';
  costs.push(await measure('nvidia-smi line parse (per GPU per interval)', SAMPLES * 10, () => parseQueryLine(line), 'the process itself: 0.2 % of a core on the H200'));

  // NVML through koffi against a library with NVML's ABI (a C compiler is needed to build it).
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-bench-nvml-'));
  try {
    const lib = join(dir, 'libnvidia-ml.so.1');
    await promisify(execFile)('cc', ['-shared', '-fPIC', '-o', lib, fileURL('../../test/collectors/resources/fixtures/fake-nvml.c')]);
    const nvml = new NvmlSampler(NvmlLibrary.open(lib), tags);
    costs.push(await measure('GPU via NVML/koffi (2 GPUs × 10 calls, fake driver)', SAMPLES * 10, (i) => nvml.sample({ index: i, timeMs: 0, signal })));
    nvml.stop();
  } catch (error) {
    costs.push({ name: 'GPU via NVML/koffi', cpuUs: Number.NaN, wallUs: Number.NaN, note: `skipped: ${(error as Error).message.split('\n')[0]}` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // The event-loop meter's timer: CPU per second of an otherwise idle loop, with each resolution and without.
  const idleUsPerSecond = async (resolutionMs: number | undefined) => {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < ROUNDS; round++) {
      const meter = resolutionMs === undefined ? undefined : new EventLoopDelayMeter(resolutionMs);
      meter?.start();
      const cpu = process.cpuUsage();
      await pause(3000);
      const used = process.cpuUsage(cpu);
      meter?.stop();
      best = Math.min(best, (used.user + used.system) / 3);
    }
    return best;
  };
  const idleBase = await idleUsPerSecond(undefined);
  const meterCosts: string[] = [];
  for (const resolutionMs of [10, 20, DEFAULT_EVENT_LOOP_RESOLUTION_MS]) {
    const extra = (await idleUsPerSecond(resolutionMs)) - idleBase;
    meterCosts.push(`${resolutionMs} ms step: ${(extra / 1000).toFixed(2)} ms CPU/s (${(extra / 1e4).toFixed(2)} % of a core)`);
  }

  console.log(`per-sample cost, mean of ${SAMPLES} samples (Node ${process.version}, ${process.platform})`);
  console.log('sampler'.padEnd(62), 'CPU µs'.padStart(9), 'wall µs'.padStart(9), 'child CPU µs'.padStart(13));
  for (const cost of costs) {
    console.log(
      cost.name.padEnd(62),
      cost.cpuUs.toFixed(0).padStart(9),
      cost.wallUs.toFixed(0).padStart(9),
      (cost.childCpuUs === undefined ? '' : cost.childCpuUs.toFixed(0)).padStart(13),
      cost.note ? ` ${cost.note}` : '',
    );
  }
  console.log(`event-loop delay meter on an idle loop, ${meterCosts.join('; ')}`);
}

function fileURL(relative: string): string {
  return new URL(relative, import.meta.url).pathname;
}

await main();
