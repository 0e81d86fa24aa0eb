import test from 'ava';
import { correlate } from '../../analytics/correlation.js';
import { ResourceTable } from '../../analytics/run-data.js';
import type { Point } from '../../pipeline/core/point.js';

const T0 = 1_800_000_000_000;

test('GPU utilisation that leads output tokens/s by 2 s: ρ ≈ 1 at lag 2, with n and p', (t) => {
  const wave = (s: number) => Math.sin(s / 3) * 40 + 50 + ((s * 17) % 5);
  const resources = new ResourceTable();
  const windows: Point[] = [];
  for (let s = 0; s < 60; s++) {
    resources.add({ measurement: 'gpu', tags: { gpu: '0', host: 'h' }, fields: { util_pct: wave(s) }, time_ms: T0 + s * 1000 + 400 });
    // Throughput follows utilisation two seconds later.
    windows.push({ measurement: 'llm_window', tags: { stage: 'main' }, fields: { output_tps: 20 * wave(s - 2), ttft_p50_ms: 40 }, time_ms: T0 + (s + 1) * 1000 });
  }
  const [pair] = correlate(resources, windows);
  t.is(pair!.resource, 'gpu_util_pct');
  t.is(pair!.lag_s, 2);
  t.true(pair!.rho > 0.99, String(pair!.rho));
  t.true(pair!.p < 1e-6);
  t.true(pair!.n >= 50);
});

test('nothing is correlated on too few seconds', (t) => {
  const resources = new ResourceTable();
  resources.add({ measurement: 'gpu', tags: {}, fields: { util_pct: 1 }, time_ms: T0 });
  t.deepEqual(correlate(resources, [{ measurement: 'llm_window', tags: {}, fields: { output_tps: 1 }, time_ms: T0 + 1000 }]), []);
});
