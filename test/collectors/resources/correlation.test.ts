import test from 'ava';
import type { Point } from '../../../pipeline/core/point.js';
import { correlateResources, CorrelationSamples, type PerformanceWindow } from '../../../collectors/resources/correlation.js';

const T0 = 1_795_804_500_000;
const gpu = (second: number, index: string, util: number): Point => ({
  measurement: 'gpu',
  tags: { run_id: 'r1', host: 'h', gpu: index, name: 'NVIDIA H200' },
  fields: { util_pct: util },
  time_ms: T0 + second * 1000 + 3.5, // sampled just after each second boundary
});
const kv = (second: number, value: number, metric = 'vllm:kv_cache_usage_perc'): Point => ({
  measurement: 'engine_metric',
  tags: { run_id: 'r1', engine: 'vllm', metric },
  fields: { value },
  time_ms: T0 + second * 1000 + 3.5,
});
const client = (second: number, cpu: number): Point => ({
  measurement: 'process',
  tags: { run_id: 'r1', host: 'h', role: 'client' },
  fields: { cpu_pct: cpu },
  time_ms: T0 + second * 1000 + 3.5,
});
/** Window k covers (T0 + k s, T0 + (k+1) s]; a sample at T0 + k s + 3.5 ms falls in window k. */
const window = (second: number, outputTps: number, ttftP50Ms: number | null): PerformanceWindow => ({
  end_ms: T0 + (second + 1) * 1000,
  output_tps: outputTps,
  ttft_p50_ms: ttftP50Ms,
});

const pair = (result: ReturnType<typeof correlateResources>, resource: string, performance: string) =>
  result.pairs.find((p) => p.resource === resource && p.performance === performance)!;

test('GPU utilisation (mean over GPUs per second) against output tokens/s and TTFT', (t) => {
  const utils = [10, 30, 50, 70, 90];
  const points = utils.flatMap((util, s) => [gpu(s, '0', util), gpu(s, '1', util + 10)]);
  const windows = utils.map((util, s) => window(s, 2 * util + 5, 500 - util));
  const result = correlateResources(CorrelationSamples.of(points), windows);
  t.is(result.axis_ms, 1000);
  t.like(pair(result, 'gpu_util_pct', 'output_tps'), { n: 5 });
  t.is(pair(result, 'gpu_util_pct', 'output_tps').r!.toFixed(12), (1).toFixed(12));
  t.is(pair(result, 'gpu_util_pct', 'ttft_p50_ms').r!.toFixed(12), (-1).toFixed(12));
});

test('KV-cache use from any engine preset correlates with TTFT; windows without a first token are left out', (t) => {
  const usage = [0.1, 0.4, 0.2, 0.9, 0.6, 0.5];
  const ttft = [100, 220, 140, null, 340, 300];
  const points = usage.map((value, s) => kv(s, value, s % 2 ? 'vllm:kv_cache_usage_perc' : 'sglang:token_usage'));
  const windows = usage.map((_, s) => window(s, 100, ttft[s]!));
  const result = correlateResources(CorrelationSamples.of(points), windows);
  const kvTtft = pair(result, 'kv_cache_usage', 'ttft_p50_ms');
  t.is(kvTtft.n, 5);
  // Pearson r computed by hand for x = [0.1,0.4,0.2,0.6,0.5], y = [100,220,140,340,300]
  const x = [0.1, 0.4, 0.2, 0.6, 0.5];
  const y = [100, 220, 140, 340, 300];
  const mx = x.reduce((a, b) => a + b) / 5;
  const my = y.reduce((a, b) => a + b) / 5;
  const cov = x.reduce((sum, xi, i) => sum + (xi - mx) * (y[i]! - my), 0);
  const sx = Math.sqrt(x.reduce((sum, xi) => sum + (xi - mx) ** 2, 0));
  const sy = Math.sqrt(y.reduce((sum, yi) => sum + (yi - my) ** 2, 0));
  t.is(kvTtft.r!.toFixed(12), (cov / (sx * sy)).toFixed(12));
  // Output tokens/s never varies: r is undefined, reported as null rather than 0.
  t.deepEqual(pair(result, 'kv_cache_usage', 'output_tps'), { resource: 'kv_cache_usage', performance: 'output_tps', r: null, n: 6 });
});

test('client CPU; samples outside every window and too few pairs give null, not a number', (t) => {
  const points = [client(0, 5), client(1, 10), client(7, 99), gpu(0, '0', 50), gpu(1, '0', 60)];
  const windows = [window(0, 10, 100), window(1, 20, 110)];
  const result = correlateResources(CorrelationSamples.of(points), windows);
  t.deepEqual(pair(result, 'client_cpu_pct', 'output_tps'), { resource: 'client_cpu_pct', performance: 'output_tps', r: null, n: 2 });
  t.deepEqual(pair(result, 'gpu_util_pct', 'ttft_p50_ms'), { resource: 'gpu_util_pct', performance: 'ttft_p50_ms', r: null, n: 2 });
  t.is(result.pairs.length, 6);
});

test('window bounds: (end − 1 s, end] — a sample exactly at a window end belongs to that window', (t) => {
  const points: Point[] = [0, 1, 2, 3].map((s) => ({ ...client(s, s * 10), time_ms: T0 + (s + 1) * 1000 }));
  const windows = [0, 1, 2, 3].map((s) => window(s, s, 100 + s));
  t.is(pair(correlateResources(CorrelationSamples.of(points), windows), 'client_cpu_pct', 'output_tps').r!.toFixed(12), (1).toFixed(12));
});

test('a run keeps only the samples correlation reads, and they correlate as the points they came from', (t) => {
  const host = (second: number): Point => ({ measurement: 'host', tags: { run_id: 'r1', host: 'h' }, fields: { mem_used_bytes: 1e9 + second }, time_ms: T0 + second * 1000 + 3.5 });
  const other = (second: number): Point => ({ ...kv(second, 7, 'vllm:num_requests_running') });
  const points = [0, 1, 2, 3, 4].flatMap((s) => [gpu(s, '0', 10 + s * s), kv(s, 0.1 * s), client(s, 40 - 3 * s), host(s), other(s)]);
  const windows = [0, 1, 2, 3, 4].map((s) => window(s, 100 + 7 * s * s, 300 - 11 * s));
  const samples = new CorrelationSamples();
  for (const point of points) samples.add(point);
  t.is(samples.size, 15, 'GPU, KV cache and client CPU: 3 a second; host memory and other engine metrics are not kept');
  const correlated = points.filter((point) => point.measurement !== 'host' && point.tags.metric !== 'vllm:num_requests_running');
  t.deepEqual(correlateResources(samples, windows), correlateResources(CorrelationSamples.of(correlated), windows));
  t.true(correlateResources(samples, windows).pairs.every((pair) => pair.n === 5 && pair.r !== null));
});
