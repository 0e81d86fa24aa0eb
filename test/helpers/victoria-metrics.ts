/**
 * VictoriaMetrics for the integration tests: `vmTest` is ava's `test.serial` when the binary is installed
 * and `test.skip` otherwise, and `noticeIfMissing()` registers one test that says why they were skipped
 * (so a machine without the package shows "skipped" plus the reason, never a silent pass). Under CI=true a
 * missing binary is a failure instead: CI installs it, and a skip there would hide that it did not.
 */
import test from 'ava';
import { findVictoriaMetrics, startVictoriaMetrics, type VictoriaMetrics } from '../../bench/sink/victoria-metrics.js';

export { startVictoriaMetrics, type ExportedSeries, type VictoriaMetrics } from '../../bench/sink/victoria-metrics.js';

export const victoriaMetricsBinary = findVictoriaMetrics();
const requiredByCi = process.env.CI === 'true';
export const vmTest = victoriaMetricsBinary || requiredByCi ? test.serial : test.skip;

export function noticeIfMissing(): void {
  if (victoriaMetricsBinary) return;
  if (requiredByCi) {
    test('VictoriaMetrics integration tests', (t) => t.fail('CI=true and victoria-metrics is not installed: .ci/run installs it with apt-get'));
    return;
  }
  test('VictoriaMetrics integration tests', (t) => {
    t.log('victoria-metrics is not installed, so the tests against a real server in this file are skipped;');
    t.log('install it with `apt-get install -y victoria-metrics` (.ci/run does).');
    t.pass();
  });
}

/** A server for one test, removed afterwards. */
export async function victoriaMetricsFor(t: import('ava').ExecutionContext): Promise<VictoriaMetrics> {
  if (!victoriaMetricsBinary) throw new Error('CI=true and victoria-metrics is not installed');
  const vm = await startVictoriaMetrics(victoriaMetricsBinary);
  t.teardown(() => vm.dispose());
  return vm;
}

/** Number of raw samples of a metric (a `<measurement>_<field>` name) with the given labels. */
export async function sampleCount(vm: VictoriaMetrics, selector: string): Promise<number> {
  const series = await vm.exportSeries(selector);
  return series.reduce((sum, s) => sum + s.values.length, 0);
}
