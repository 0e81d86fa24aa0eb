import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Point } from '../../../pipeline/core/point.js';
import { UsageError } from '../../../pipeline/core/errors.js';
import { dcgmReadings } from '../../../collectors/resources/gpu/dcgm-prometheus.js';
import { parseGpuMode } from '../../../collectors/resources/gpu/gpu-mode.js';
import { gpuInventory } from '../../../collectors/resources/gpu/gpu-inventory.js';
import { parsePrometheusText } from '../../../collectors/resources/prometheus-text.js';
import { createMonitor } from '../../../collectors/resources/monitor.js';
import { ManualClock } from './helpers/manual-clock.js';
import { freePort, startTextServer, waitFor } from './helpers/text-server.js';

// A dcgm-exporter page for two H200s: the exporter's real metric names, units and label set
// (NVIDIA/dcgm-exporter etc/default-counters.csv), values from the H200 capture.
const DCGM = readFileSync(new URL('fixtures/dcgm-exporter-metrics.txt', import.meta.url), 'utf8');

test('DCGM exporter text → one reading per gpu label, in the point units', (t) => {
  const readings = dcgmReadings(parsePrometheusText(DCGM));
  t.deepEqual(readings, [
    {
      host: 'gpu-node-1',
      reading: {
        index: 0,
        name: 'NVIDIA H200',
        util_pct: 99,
        mem_util_pct: 24,
        mem_used_mib: 1139,
        mem_total_mib: 1139 + 142018 + 614, // used + free + reserved: no FB_TOTAL on this exporter
        power_w: 693.59,
        temp_c: 55,
        sm_clock_mhz: 1500,
        mem_clock_mhz: 3201,
        energy_mj: 3235229,
      },
    },
    {
      host: 'gpu-node-1',
      reading: {
        index: 1,
        name: 'NVIDIA H200',
        util_pct: 0,
        mem_util_pct: 0,
        mem_used_mib: 0,
        mem_total_mib: 143771,
        power_w: 107.99,
        temp_c: 35,
        sm_clock_mhz: 345,
        mem_clock_mhz: 3201,
        energy_mj: 1000000,
      },
    },
  ]);
});

test('FB_TOTAL, when the exporter has it, is the total; pages without DCGM names give nothing', (t) => {
  const page = 'DCGM_FI_DEV_FB_USED{gpu="0",modelName="A100"} 1024\nDCGM_FI_DEV_FB_TOTAL{gpu="0",modelName="A100"} 81920\n';
  t.deepEqual(dcgmReadings(parsePrometheusText(page)), [{ reading: { index: 0, name: 'A100', mem_used_mib: 1024, mem_total_mib: 81920 } }]);
  t.deepEqual(dcgmReadings(parsePrometheusText('node_load1 2.5\n')), []);
});

test('--gpu URL: points carry the exporter host and its GPUs, energy from its counter', async (t) => {
  const server = await startTextServer({ '/metrics': DCGM });
  t.teardown(() => server.close());
  const clock = new ManualClock(5_000_000);
  const points: Point[] = [];
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', host: 'client-box', clock, gpu: `${server.url}/metrics`, hostMetrics: false, clientProcess: false });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: (line) => notices.push(line) });
  await waitFor(() => points.length === 2, 'first scrape');
  server.routes.set('/metrics', { status: 200, body: DCGM.replace('} 3235229', '} 3925201') });
  await clock.advanceTo(5_001_000);
  await waitFor(() => points.length === 4, 'second scrape');
  const summary = await monitor.stop();
  t.deepEqual(notices, [`GPU: sampling 2 GPUs from ${server.url}/metrics`]);
  t.deepEqual(points[0]!.tags, { run_id: 'r1', host: 'gpu-node-1', gpu: '0', name: 'NVIDIA H200' });
  t.is(points[0]!.fields.power_w, 693.59);
  t.is(summary.samplers.GPU?.source, 'prometheus');
  // 3925201 − 3235229 mJ: 689.972 J in one second, the 690 W of nvml-energy.txt.
  t.like(summary.gpu_energy?.per_gpu[0], { gpu: '0', energy_j: 689.972, source: 'energy-counter' });
});

test('an unreachable exporter at start is one line and the monitor keeps trying', async (t) => {
  const port = await freePort();
  const clock = new ManualClock(0);
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', clock, gpu: `http://127.0.0.1:${port}/metrics`, hostMetrics: false, clientProcess: false });
  await monitor.start({ runId: 'r1', onPoints: () => undefined, onNotice: (line) => notices.push(line) });
  await waitFor(() => (monitor.samplerReports().GPU?.failures ?? 0) === 1, 'a failed tick');
  const summary = await monitor.stop();
  t.is(notices.length, 1, 'the failing first tick adds no second line');
  t.regex(notices[0]!, /^GPU: http:\/\/127\.0\.0\.1:\d+\/metrics unreachable: .*ECONNREFUSED.*; retrying each interval$/);
  t.is(summary.samplers.GPU?.failures, 1);
});

test('GPU inventory from an exporter', async (t) => {
  const server = await startTextServer({ '/metrics': DCGM });
  t.teardown(() => server.close());
  const inventory = await gpuInventory({ mode: parseGpuMode(`${server.url}/metrics`) });
  t.is(inventory.source, 'prometheus');
  t.is(inventory.driver_version, '580.159.04');
  t.deepEqual(inventory.gpus[1], { index: 1, name: 'NVIDIA H200', memory_total_mib: 143771, host: 'gpu-node-1' });
});

const modes = test.macro((t, text: string, expected: unknown) => {
  t.deepEqual(parseGpuMode(text), expected);
});
test('--gpu auto', modes, 'auto', { kind: 'auto' });
test('--gpu off', modes, 'off', { kind: 'off' });
test('--gpu nvidia-smi', modes, 'nvidia-smi', { kind: 'nvidia-smi' });
test('--gpu URL', modes, 'http://gpu-node-1:9400/metrics', { kind: 'prometheus', url: 'http://gpu-node-1:9400/metrics' });
test('--gpu nonsense names the flag and the choices', (t) => {
  const error = t.throws(() => parseGpuMode('cuda'), { instanceOf: UsageError });
  t.is(error?.code, 'USAGE');
  t.regex(error?.message ?? '', /^--gpu must be auto, nvml, nvidia-smi, off or a Prometheus\/DCGM-exporter URL, got "cuda"$/);
});
