import test from 'ava';
import os from 'node:os';
import type { Point } from '../../../pipeline/core/point.js';
import { UsageError } from '../../../pipeline/core/errors.js';
import { TickLoop, type Tick } from '../../../collectors/resources/tick-loop.js';
import { SamplerRunner } from '../../../collectors/resources/sampler-runner.js';
import { ResourceSummaryBuilder } from '../../../collectors/resources/resource-summary.js';
import type { Sampler } from '../../../collectors/resources/sampler.js';
import { createMonitor } from '../../../collectors/resources/monitor.js';
import { resolveMonitorOptions } from '../../../collectors/resources/monitor-options.js';
import { ManualClock, settle } from './helpers/manual-clock.js';

const ORIGIN = 1_795_804_500_000.25;

test('ticks fall on origin + k·interval: late timers never accumulate into drift', async (t) => {
  const clock = new ManualClock(ORIGIN);
  clock.lateByMs = 7; // every wake-up 7 ms late, like a busy event loop
  const ticks: Tick[] = [];
  const loop = new TickLoop(clock, ORIGIN, 1000, (tick) => ticks.push(tick));
  loop.start();
  for (let k = 1; k <= 5; k++) await clock.advanceTo(ORIGIN + k * 1000 + 7);
  await loop.stop();
  t.deepEqual(ticks.map((tick) => tick.index), [0, 1, 2, 3, 4, 5]);
  t.deepEqual(ticks.map((tick) => tick.dueMs - ORIGIN), [0, 1000, 2000, 3000, 4000, 5000]);
  // Each tick is 7 ms late, never 7·k: the next deadline is on the grid, not "last tick + interval".
  t.deepEqual(ticks.slice(1).map((tick) => tick.timeMs - tick.dueMs), [7, 7, 7, 7, 7]);
  t.is(loop.missed, 0);
});

test('a stall longer than an interval skips the overrun slots (counted) and stays on the grid', async (t) => {
  const clock = new ManualClock(ORIGIN);
  const ticks: Tick[] = [];
  const loop = new TickLoop(clock, ORIGIN, 1000, (tick) => ticks.push(tick));
  loop.start();
  await clock.advanceTo(ORIGIN + 1000);
  clock.lateByMs = 2500; // the next wake-up comes 2.5 intervals late
  await clock.advanceTo(ORIGIN + 2000);
  clock.lateByMs = 0;
  await clock.advanceTo(ORIGIN + 6000);
  await loop.stop();
  t.deepEqual(ticks.map((tick) => tick.index), [0, 1, 2, 5, 6]);
  t.deepEqual(ticks.map((tick) => tick.timeMs - ORIGIN), [0, 1000, 4500, 5000, 6000]);
  t.is(loop.missed, 2);
});

test('a loop joining a grid whose origin is past starts at the nearest slot, with no burst', async (t) => {
  const clock = new ManualClock(ORIGIN + 3400);
  const ticks: Tick[] = [];
  const loop = new TickLoop(clock, ORIGIN, 1000, (tick) => ticks.push(tick));
  loop.start();
  await clock.advanceTo(ORIGIN + 5000);
  await loop.stop();
  t.deepEqual(ticks.map((tick) => [tick.index, tick.timeMs - ORIGIN]), [[3, 3400], [4, 4000], [5, 5000]]);
});

test('the monitor stamps samples at the run clock ticks, from a given origin', async (t) => {
  const clock = new ManualClock(ORIGIN + 20);
  const points: Point[] = [];
  const monitor = createMonitor({ runId: 'r1', host: 'h', clock, originMs: ORIGIN, gpu: 'off', hostMetrics: false });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: () => undefined });
  for (let k = 1; k <= 3; k++) await clock.advanceTo(ORIGIN + k * 1000);
  const summary = await monitor.stop();
  t.deepEqual(points.map((p) => p.time_ms - ORIGIN), [20, 1000, 2000, 3000]);
  t.true(points.every((p) => p.measurement === 'process' && p.tags.role === 'client'));
  t.like(summary, { interval_ms: 1000, origin_ms: ORIGIN, ticks: 4, ticks_missed: 0 });
});

test('a sampler still busy at the next tick is skipped and counted, never queued', async (t) => {
  let release: () => void = () => undefined;
  let calls = 0;
  const slow: Sampler = {
    name: 'engine_metric',
    source: 'test',
    sample: () => {
      calls++;
      return new Promise<readonly Point[]>((resolve) => (release = () => resolve([])));
    },
  };
  const runner = new SamplerRunner(slow, 'Slow', () => undefined, () => undefined);
  const signal = new AbortController().signal;
  runner.tick({ index: 0, dueMs: 0, timeMs: 0 }, signal);
  runner.tick({ index: 1, dueMs: 1000, timeMs: 1000 }, signal);
  runner.tick({ index: 2, dueMs: 2000, timeMs: 2000 }, signal);
  release();
  await runner.settle();
  runner.tick({ index: 3, dueMs: 3000, timeMs: 3000 }, signal);
  release();
  await runner.settle();
  t.is(calls, 2);
  t.like(runner.report(), { samples: 2, skipped_busy: 2, failures: 0 });
});

test('failures: one line, quiet counting while they last, one line on recovery', async (t) => {
  let failing = true;
  const flaky: Sampler = {
    name: 'engine_metric',
    source: 'test',
    sample: async (tick) => {
      if (failing) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
      return [{ measurement: 'engine_metric', tags: {}, fields: { value: 1 }, time_ms: tick.timeMs }];
    },
  };
  const notices: string[] = [];
  const delivered: Point[] = [];
  const runner = new SamplerRunner(flaky, 'Server metrics', (points) => delivered.push(...points), (line) => notices.push(line));
  const signal = new AbortController().signal;
  for (let k = 0; k < 3; k++) {
    runner.tick({ index: k, dueMs: k, timeMs: k }, signal);
    await runner.settle();
  }
  failing = false;
  runner.tick({ index: 3, dueMs: 3, timeMs: 3 }, signal);
  await runner.settle();
  t.deepEqual(notices, [
    'Server metrics: connect ECONNREFUSED 127.0.0.1:8000; retrying each interval quietly',
    'Server metrics: answering again after 3 failed samples',
  ]);
  t.like(runner.report(), { failures: 3, samples: 1, points: 1 });
  t.is(delivered.length, 1);
});

test('summary: count, mean, min, max, first and last per field and series; energy from power when there is no counter', (t) => {
  const summary = new ResourceSummaryBuilder(5000);
  const gpu = (timeMs: number, util: number, power: number): Point => ({
    measurement: 'gpu',
    tags: { run_id: 'r1', host: 'h', gpu: '0', name: 'NVIDIA H200' },
    fields: { util_pct: util, power_w: power, throttle_reasons: 'none' },
    time_ms: timeMs,
  });
  summary.add([gpu(0, 0, 100), gpu(1000, 50, 300), gpu(2000, 100, 500)]);
  summary.add([gpu(60_000, 100, 500)]); // after a 58 s gap: not integrated across
  t.deepEqual(summary.series(), [
    {
      measurement: 'gpu',
      tags: { host: 'h', gpu: '0', name: 'NVIDIA H200' },
      count: 4,
      fields: {
        util_pct: { count: 4, mean: 62.5, min: 0, max: 100, first: 0, last: 100 },
        power_w: { count: 4, mean: 350, min: 100, max: 500, first: 100, last: 500 },
      },
    },
  ]);
  // trapezoids: (100+300)/2·1 s + (300+500)/2·1 s = 600 J
  t.deepEqual(summary.gpuEnergy(), { total_j: 600, per_gpu: [{ gpu: '0', name: 'NVIDIA H200', energy_j: 600, source: 'power-integral', window_s: 60 }] });
});

test('a consumer that throws is reported once and does not stop sampling', async (t) => {
  const clock = new ManualClock(ORIGIN);
  const notices: string[] = [];
  let calls = 0;
  const monitor = createMonitor({ runId: 'r1', clock, gpu: 'off', hostMetrics: false });
  await monitor.start({
    runId: 'r1',
    onPoints: () => {
      calls++;
      throw new Error('sink exploded');
    },
    onNotice: (line) => notices.push(line),
  });
  for (let k = 1; k <= 2; k++) await clock.advanceTo(ORIGIN + k * 1000);
  const summary = await monitor.stop();
  t.is(calls, 3);
  t.deepEqual(notices, ['Monitor: a consumer of resource points failed: sink exploded']);
  t.is(summary.series[0]?.count, 3, 'the summary still has every sample');
});

test('options: every problem at once, naming the flag', (t) => {
  const error = t.throws(
    () => resolveMonitorOptions({ runId: 'r1', intervalMs: 10, gpu: 'rocm', serverMetrics: 'ftp://x', enginePid: 1.5, engineProcess: 'vllm' }),
    { instanceOf: UsageError },
  );
  t.is(error?.code, 'USAGE');
  t.is(
    error?.message,
    [
      'invalid monitoring options:',
      '  intervalMs (--monitor-interval) must be between 100 ms and 1 h, got 10',
      '  --gpu must be auto, nvml, nvidia-smi, off or a Prometheus/DCGM-exporter URL, got "rocm"',
      '  --server-metrics must be auto, off or an http(s) URL, got "ftp://x"',
      '  --engine-pid and --engine-process name the same thing; give one',
      '  --engine-pid must be a positive integer, got 1.5',
    ].join('\n'),
  );
  t.like(resolveMonitorOptions({ runId: 'r1' }), { intervalMs: 1000, gpu: { kind: 'auto' }, serverMetrics: 'auto', hostMetrics: true, clientProcess: true, host: os.hostname() });
});

test('a short real run samples host, every core and the client about once per interval', async (t) => {
  const points: Point[] = [];
  const notices: string[] = [];
  const monitor = createMonitor({ runId: 'r1', intervalMs: 200, gpu: 'off' });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: (line) => notices.push(line) });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const summary = await monitor.stop();
  await settle();
  const ticks = summary.ticks;
  t.true(ticks >= 4, `ticks ${ticks}`);
  const count = (measurement: string, core?: string) =>
    points.filter((p) => p.measurement === measurement && (core === undefined || p.tags.core === core)).length;
  t.is(count('host'), summary.samplers.Host!.samples);
  t.true(count('host') >= ticks - summary.samplers.Host!.skipped_busy - 1);
  for (let core = 0; core < os.cpus().length; core++) t.is(count('host_cpu', String(core)), count('host') - 1, `core ${core}`);
  t.is(count('process'), ticks);
  const host = points.filter((p) => p.measurement === 'host').at(-1)!;
  t.deepEqual(Object.keys(host.fields).sort(), ['cpu_pct', 'disk_read_bps', 'disk_write_bps', 'mem_total_bytes', 'mem_used_bytes', 'net_rx_bps', 'net_tx_bps']);
  t.deepEqual(host.tags, { run_id: 'r1', host: os.hostname() });
  t.deepEqual(notices, [], 'gpu off and no engine: nothing to say');
});
