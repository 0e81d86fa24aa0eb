import test from 'ava';
import { ScenarioError } from '../../../pipeline/core/errors.js';
import type { RunSummary } from '../../../pipeline/core/run-result.js';
import { summarize } from '../../../pipeline/core/stats.js';
import {
  evaluateThresholds,
  parseThreshold,
  type Threshold,
} from '../../../pipeline/scenario/thresholds.js';
import { assertError } from './helpers.js';

const parsed: Array<[string, string, Omit<Threshold, 'metric'>]> = [
  ['ttft_ms', 'p95 < 2000', { stat: 'p95', operator: '<', value: 2000, expression: 'p95 < 2000' }],
  ['ttft_ms', 'p95<2000', { stat: 'p95', operator: '<', value: 2000, expression: 'p95 < 2000' }],
  ['itl_pooled_ms', '  P99 <= 50.5 ', { stat: 'p99', operator: '<=', value: 50.5, expression: 'p99 <= 50.5' }],
  ['output_tokens', 'min >= 128', { stat: 'min', operator: '>=', value: 128, expression: 'min >= 128' }],
  ['schedule_lag_ms', 'count == 600', { stat: 'count', operator: '==', value: 600, expression: 'count == 600' }],
  ['error_rate', '< 0.01', { stat: null, operator: '<', value: 0.01, expression: '< 0.01' }],
  ['rps', '>1e2', { stat: null, operator: '>', value: 100, expression: '> 100' }],
  ['output_tps', '>= 500', { stat: null, operator: '>=', value: 500, expression: '>= 500' }],
];

for (const [metric, text, expected] of parsed) {
  test(`parseThreshold(${metric}, ${JSON.stringify(text)})`, (t) => {
    t.deepEqual(parseThreshold(metric, text), { metric, ...expected });
  });
}

const refused: Array<[() => unknown, Array<string | RegExp>]> = [
  [() => parseThreshold('ttft', 'p95 < 1'), ['thresholds.ttft', 'unknown metric "ttft"', 'valid metrics: load_duration_ms', 'error_rate, rps, output_tps']],
  [() => parseThreshold('ttft_ms', 'p97 < 1'), ['unknown statistic "p97"', 'statistics: count, mean, stddev, cv, min, p50, p90, p95, p99, p999, max']],
  [() => parseThreshold('ttft_ms', '< 1'), ['ttft_ms needs a statistic, e.g. "p95 < 1"']],
  [() => parseThreshold('error_rate', 'p95 < 0.1'), ['error_rate is a single number and takes no statistic']],
  [() => parseThreshold('ttft_ms', 'p95 ≈ 1'), ['is not a threshold', 'operators: < <= > >= ==']],
  [() => parseThreshold('ttft_ms', 'p95 < fast'), ['is not a threshold']],
];

refused.forEach(([parse, mentions], i) => {
  test(`thresholds refused (${i + 1}): ${String(mentions[0])}`, (t) => {
    assertError(t, t.throws(parse), { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions });
  });
});

const ttft = summarize([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])!;
const summary: RunSummary = {
  duration_ms: 10_000,
  requests: { total: 100, ok: 99, error: 1, dropped: 0 },
  throughput: { rps: 9.9, output_tps: 1267, total_tps: 3800, goodput_rps: 9.9 },
  error_rate: 0.01,
  errors_by_kind: { http_5xx: 1 },
  metrics: { ttft_ms: ttft },
  jitter: { itl_cv_mean: null, stall_count: 0 },
};

test('evaluateThresholds reads stats and run-level numbers, and compares', (t) => {
  const thresholds = [
    parseThreshold('ttft_ms', 'p50 < 600'), // 550: ok
    parseThreshold('ttft_ms', 'max <= 999'), // 1000: fails
    parseThreshold('ttft_ms', 'count == 10'),
    parseThreshold('error_rate', '< 0.01'), // 0.01: fails (strict)
    parseThreshold('error_rate', '<= 0.01'),
    parseThreshold('rps', '> 5'),
    parseThreshold('output_tps', '>= 2000'), // fails
    parseThreshold('total_tps', '> 3000'),
  ];
  t.deepEqual(evaluateThresholds(summary, thresholds), [
    { metric: 'ttft_ms', expression: 'p50 < 600', actual: 550, ok: true },
    { metric: 'ttft_ms', expression: 'max <= 999', actual: 1000, ok: false },
    { metric: 'ttft_ms', expression: 'count == 10', actual: 10, ok: true },
    { metric: 'error_rate', expression: '< 0.01', actual: 0.01, ok: false },
    { metric: 'error_rate', expression: '<= 0.01', actual: 0.01, ok: true },
    { metric: 'rps', expression: '> 5', actual: 9.9, ok: true },
    { metric: 'output_tps', expression: '>= 2000', actual: 1267, ok: false },
    { metric: 'total_tps', expression: '> 3000', actual: 3800, ok: true },
  ]);
});

test('a metric without samples fails its threshold (an SLO that could not be checked is not met); its count is 0', (t) => {
  t.deepEqual(evaluateThresholds(summary, [parseThreshold('itl_ms', 'p95 < 100'), parseThreshold('itl_ms', 'count == 0')]), [
    { metric: 'itl_ms', expression: 'p95 < 100', actual: null, ok: false },
    { metric: 'itl_ms', expression: 'count == 0', actual: 0, ok: true },
  ]);
});
