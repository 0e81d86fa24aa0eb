import test from 'ava';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../../pipeline/core/clock.js';
import type { Point } from '../../../pipeline/core/point.js';
import { findNvidiaSmi } from '../../../collectors/resources/gpu/find-nvidia-smi.js';
import { openGpuSampler } from '../../../collectors/resources/gpu/open-gpu-sampler.js';
import { startNvidiaSmiSampler } from '../../../collectors/resources/gpu/nvidia-smi-sampler.js';
import { gpuInventory } from '../../../collectors/resources/gpu/gpu-inventory.js';
import { SamplerUnavailable, type Sampler } from '../../../collectors/resources/sampler.js';
import { createMonitor } from '../../../collectors/resources/monitor.js';

// A fake `nvidia-smi` placed first on PATH: two GPUs, real H200 rows, honouring -lms (helpers/fake-nvidia-smi.mjs).
const FAKE = fileURLToPath(new URL('helpers/fake-nvidia-smi.mjs', import.meta.url));
const LOAD_CSV = fileURLToPath(new URL('../../fixtures/nvidia-smi/query_load.csv', import.meta.url));
const NO_FALLBACK_DIRS: string[] = [];
const tags = { run_id: 'r1', host: 'h' };

let binDir = '';
test.before(async () => {
  binDir = await mkdtemp(join(tmpdir(), 'llmbench-fake-smi-'));
  // A wrapper rather than a symlink: it runs whatever the checkout's file modes are.
  await writeFile(join(binDir, 'nvidia-smi'), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`, { mode: 0o755 });
  process.env.PATH = `${binDir}${delimiter}${process.env.PATH}`;
  process.env.FAKE_NVIDIA_SMI_CSV = LOAD_CSV;
});
test.after.always(async () => {
  await rm(binDir, { recursive: true, force: true });
});

/** What the fake prints for GPU `gpu` in interval k: the fixture row (k + 7·gpu) mod rows. */
async function expectedRows(): Promise<string[][]> {
  const [, ...rows] = (await readFile(LOAD_CSV, 'utf8')).trim().split('\n');
  return rows.map((row) => row.split(',').map((cell) => cell.trim()));
}

async function drainUntil(sampler: Sampler, groups: number, gpus = 2): Promise<Point[]> {
  const points: Point[] = [];
  const deadline = Date.now() + 20_000; // a bound for a stuck child, not a timing assertion
  while (points.length < groups * gpus && Date.now() < deadline) {
    points.push(...(await sampler.sample({ index: 0, timeMs: 0, signal: new AbortController().signal })));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return points;
}

test.serial('nvidia-smi is found first on PATH', async (t) => {
  t.is(await findNvidiaSmi(process.env.PATH, NO_FALLBACK_DIRS), join(binDir, 'nvidia-smi'));
});

test.serial('one long-lived nvidia-smi: each of two GPUs appears every interval with exactly the reported values', async (t) => {
  const notices: string[] = [];
  const sampler = await startNvidiaSmiSampler({
    executable: join(binDir, 'nvidia-smi'),
    intervalMs: 50,
    tags,
    clock: systemClock,
    onNotice: (line) => notices.push(line),
  });
  t.teardown(() => sampler.stop());
  const points = await drainUntil(sampler, 6);
  await sampler.stop();
  const rows = await expectedRows();
  // columns of query_load.csv: 6 utilization.gpu, 9 memory.used, 13 power.draw, 15 clocks.current.sm
  for (let k = 0; k < 6; k++) {
    for (const gpu of [0, 1]) {
      const point = points[k * 2 + gpu]!;
      const row = rows[(k + gpu * 7) % rows.length]!;
      t.is(point.tags.gpu, String(gpu));
      t.is(point.tags.name, 'NVIDIA H200');
      t.is(point.fields.util_pct, Number(row[6]), `interval ${k} gpu ${gpu} util`);
      t.is(point.fields.mem_used_mib, Number(row[9]), `interval ${k} gpu ${gpu} memory`);
      t.is(point.fields.power_w, Number(row[13]), `interval ${k} gpu ${gpu} power`);
      t.is(point.fields.sm_clock_mhz, Number(row[15]));
    }
    // Both GPUs of one interval share the interval's timestamp.
    t.is(points[k * 2]!.time_ms, points[k * 2 + 1]!.time_ms);
  }
  t.true(points[2]!.time_ms >= points[0]!.time_ms);
  t.is(sampler.unparsedLines, 0);
  t.deepEqual(notices, [], 'a requested stop is not an exit notice');
});

test.serial('--gpu nvidia-smi through the monitor: every GPU line reaches onPoints and the summary', async (t) => {
  const points: Point[] = [];
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', host: 'h', intervalMs: 100, gpu: 'nvidia-smi', hostMetrics: false, clientProcess: false });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: (line) => notices.push(line) });
  const deadline = Date.now() + 20_000;
  while (points.filter((p) => p.measurement === 'gpu').length < 8 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const summary = await monitor.stop();
  const gpu0 = points.filter((p) => p.tags.gpu === '0');
  const gpu1 = points.filter((p) => p.tags.gpu === '1');
  t.true(gpu0.length >= 4);
  t.is(gpu0.length, gpu1.length, 'both GPUs in every interval');
  t.regex(notices[0] ?? '', /^GPU: sampling through .*nvidia-smi -lms 100$/);
  t.is(summary.samplers.GPU?.source, 'nvidia-smi');
  t.is(summary.samplers.GPU?.points, points.length);
  const series = summary.series.filter((s) => s.measurement === 'gpu');
  t.is(series.length, 2);
  // nvidia-smi has no energy counter: energy is the integral of power, and says so.
  t.is(summary.gpu_energy?.per_gpu[0]?.source, 'power-integral');
  t.true((summary.gpu_energy?.total_j ?? 0) > 0);
});

test.serial('a driver that is not loaded: nvidia-smi exits 9 with its message, and that is the one line', async (t) => {
  process.env.FAKE_NVIDIA_SMI_MODE = 'driver-down';
  t.teardown(() => delete process.env.FAKE_NVIDIA_SMI_MODE);
  const error = await t.throwsAsync(
    startNvidiaSmiSampler({ executable: join(binDir, 'nvidia-smi'), intervalMs: 100, tags, clock: systemClock, onNotice: () => undefined }),
    { instanceOf: SamplerUnavailable },
  );
  t.regex(error!.message, /^nvidia-smi exited \(code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\./);
  const notices: string[] = [];
  const sampler = await openGpuSampler({
    mode: { kind: 'nvidia-smi' },
    tags,
    intervalMs: 100,
    clock: systemClock,
    onNotice: (line) => notices.push(line),
    scrapeTimeoutMs: 1000,
  });
  t.is(sampler, undefined);
  t.is(notices.length, 1);
  t.regex(notices[0]!, /^GPU: nvidia-smi exited \(code 9: NVIDIA-SMI has failed .* installed and running\.\); GPU sampling off$/);
});

test.serial('nvidia-smi missing: one clear line, no throw', async (t) => {
  const notices: string[] = [];
  const sampler = await openGpuSampler({
    mode: { kind: 'nvidia-smi' },
    tags,
    intervalMs: 1000,
    clock: systemClock,
    onNotice: (line) => notices.push(line),
    pathEnv: '/nonexistent',
    nvidiaSmiFallbackDirs: ['/nonexistent-too'],
    scrapeTimeoutMs: 1000,
  });
  t.is(sampler, undefined);
  t.deepEqual(notices, ['GPU: nvidia-smi not found (looked on PATH and in /nonexistent-too); GPU sampling off']);
});

test.serial('auto with neither NVML nor nvidia-smi: exactly the documented line', async (t) => {
  const notices: string[] = [];
  const sampler = await openGpuSampler({
    mode: { kind: 'auto' },
    tags,
    intervalMs: 1000,
    clock: systemClock,
    onNotice: (line) => notices.push(line),
    nvmlLibraryPath: 'libnvidia-ml-absent.so.1',
    pathEnv: '/nonexistent',
    nvidiaSmiFallbackDirs: [],
    scrapeTimeoutMs: 1000,
  });
  t.is(sampler, undefined);
  t.deepEqual(notices, ['GPU: no NVML or nvidia-smi found; GPU sampling off']);
});

test.serial('auto falls back to nvidia-smi when NVML does not load, and says which it uses and why', async (t) => {
  const notices: string[] = [];
  const sampler = await openGpuSampler({
    mode: { kind: 'auto' },
    tags,
    intervalMs: 100,
    clock: systemClock,
    onNotice: (line) => notices.push(line),
    nvmlLibraryPath: 'libnvidia-ml-absent.so.1',
    scrapeTimeoutMs: 1000,
  });
  t.teardown(() => sampler?.stop?.());
  t.is(sampler?.source, 'nvidia-smi');
  t.is(notices.length, 1);
  t.regex(notices[0]!, /^GPU: sampling through .*nvidia-smi -lms 100 \(NVML not available \(libnvidia-ml-absent\.so\.1: .*\)\)$/);
});

test.serial('GPU inventory from a one-shot nvidia-smi', async (t) => {
  const inventory = await gpuInventory({ mode: { kind: 'nvidia-smi' } });
  t.is(inventory.source, 'nvidia-smi');
  t.is(inventory.driver_version, '580.159.04');
  t.deepEqual(inventory.gpus.map((gpu) => gpu.index), [0, 1]);
  t.like(inventory.gpus[0], { name: 'NVIDIA H200', uuid: 'GPU-7e1de5f9-9f30-ff7e-7b97-67a1ea6cb1f5', memory_total_mib: 143771, power_limit_w: 700, pci_bus_id: '00000000:00:06.0' });
});

test.serial('GPU inventory with nothing installed says so instead of throwing', async (t) => {
  const inventory = await gpuInventory({ nvmlLibraryPath: 'libnvidia-ml-absent.so.1', pathEnv: '/nonexistent', nvidiaSmiFallbackDirs: [] });
  t.is(inventory.source, 'none');
  t.deepEqual(inventory.gpus, []);
  t.regex(inventory.note ?? '', /NVML not available.*; nvidia-smi not found/);
});
