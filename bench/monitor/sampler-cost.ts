/**
 * What one sample of each resource sampler costs this process, in CPU microseconds (user + system, from
 * process.cpuUsage) and wall microseconds, averaged over many samples. Also what systeminformation's Linux
 * host calls cost, which is why the host sampler reads /proc itself (host-sampler.ts), and the CPU share of
 * the event-loop-delay meter's 10 ms timer.
 *
 *   npx tsx bench/monitor/sampler-cost.ts [samples=200]
 *
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
  const fields = (await readFile('/proc/self/stat', 'utf8')).slice((await readFile('/proc/self/stat', 'utf8')).lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10_000;
}

async function measure(name: string, samples: number, once: (i: number) => unknown, note?: string): Promise<Cost> {
  await once(-1); // prime (first reading, JIT)
  const children = await childCpuUs();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < samples; i++) await once(i);
  const wallUs = ((performance.now() - start) * 1000) / samples;
  const used = process.cpuUsage(cpu);
  const childUs = ((await childCpuUs()) - children) / samples;
  return { name, cpuUs: (used.user + used.system) / samples, wallUs, ...(childUs > 0 ? { childCpuUs: childUs } : {}), ...(note ? { note } : {}) };
}

const tick = (sampler: Sampler, i: number) => sampler.sample({ index: i + 1, timeMs: performance.timeOrigin + performance.now(), signal });

async function main(): Promise<void> {
  const costs: Cost[] = [];
  const host = await openHostSampler(tags, 'procfs');
  costs.push(await measure('host (procfs: stat, meminfo, net/dev, diskstats)', SAMPLES, (i) => tick(host, i)));
  const hostSi = await openHostSampler(tags, 'systeminformation');
  costs.push(await measure('host via systeminformation (fallback)', Math.min(SAMPLES, 30), (i) => tick(hostSi, i)));
  costs.push(await measure('  si.currentLoad() alone (execSync cat /proc/stat)', 20, () => si.currentLoad(), 'blocks the event loop'));
  costs.push(await measure('  si.networkStats("*") alone', 20, async (i) => {
    await si.networkStats('*');
    if (i >= 0) await new Promise((resolve) => setTimeout(resolve, 510)); // it caches for 500 ms
  }));
  costs.push(await measure('  si.fsStats() alone', 20, () => si.fsStats()));

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

  // The event-loop meter's timer: CPU over 3 s of an otherwise idle loop, with and without it.
  const idle = async () => {
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 3; // µs per second
  };
  const without = await idle();
  const meter = new EventLoopDelayMeter(10);
  meter.start();
  const withMeter = await idle();
  meter.stop();

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
  console.log(`event-loop meter (10 ms timer): ${(withMeter - without).toFixed(0)} µs CPU per second (${((withMeter - without) / 1e4).toFixed(3)} % of a core)`);
}

function fileURL(relative: string): string {
  return new URL(relative, import.meta.url).pathname;
}

await main();
