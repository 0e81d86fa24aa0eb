/** The analyses on synthetic runs whose answer is known (helpers/synthetic.ts). */
import test from 'ava';
import { analyzeRun } from '../../analytics/analyze.js';
import { findKnee } from '../../analytics/knee.js';
import { loadLevels } from '../../analytics/levels.js';
import { scalingLevel } from '../../analytics/scaling.js';
import { analyzeSlos, parseSlo } from '../../analytics/slo.js';
import { AnalyticsError } from '../../pipeline/core/errors.js';
import { syntheticRun, type LevelShape } from '../../bench/common/synthetic-run.js';

/** A server with `slots` slots: up to them TTFT is `baseMs` and ITL 10 ms; beyond, both grow with the load (throughput flat). */
function server(slots: number, baseMs: number) {
  return (level: number): LevelShape => ({
    level,
    seconds: 20,
    ttftMs: (_t, random) => baseMs * Math.max(1, level / slots) * (0.95 + 0.1 * random()),
    itlMs: () => 10 * Math.max(1, level / slots),
  });
}

test('knee: throughput flattens at the slot count; beyond it, latency grows for no throughput', (t) => {
  const shape = server(8, 40);
  const { result, data } = syntheticRun([1, 2, 4, 8, 16, 32].map(shape));
  const analysis = analyzeRun(result, data);
  const knee = analysis.scaling.knee!;
  t.is(knee.level, 8);
  t.is(knee.beyond!.level, 32);
  t.true(knee.beyond!.latency_factor > 3.5, String(knee.beyond!.latency_factor));
  t.true(Math.abs(knee.beyond!.throughput_gain_pct) < 5, String(knee.beyond!.throughput_gain_pct));
  t.regex(analysis.recommendations.find((r) => r.kind === 'knee')!.text, /saturates at 8/);
});

test('knee: none while throughput still scales, none with fewer than three levels', (t) => {
  const shape = server(1000, 40);
  t.is(analyzeRun(...runOf([1, 2, 4, 8, 16].map(shape))).scaling.knee, null);
  t.is(analyzeRun(...runOf([1, 64].map(server(8, 40)))).scaling.knee, null);
  // Still rising at the highest level measured: never extrapolated into a knee.
  t.is(findKnee([]), null);
});

test("Little's law: the exact in-flight average matches λW for a closed loop, and the level's load", (t) => {
  const { result, data } = syntheticRun([server(8, 40)(4)]);
  const [level] = loadLevels(result, data.requests);
  const scaling = scalingLevel(data.requests, level!, undefined);
  t.true(Math.abs(scaling.in_flight_mean - 4) < 0.05, String(scaling.in_flight_mean));
  t.true(scaling.littles_law!.error_pct < 1, JSON.stringify(scaling.littles_law));
  t.is(scaling.littles_law!.counter, null);
});

test("Little's law: a counter that saw requests the records lack is flagged", (t) => {
  const { result, data } = syntheticRun([server(8, 40)(4)]);
  const [level] = loadLevels(result, data.requests);
  const start = Date.parse(result.started_at) + 1000;
  const honest = Array.from({ length: 15 }, (_, i) => ({ atMs: start + i * 1000, value: 4 }));
  t.true(scalingLevel(data.requests, level!, honest).littles_law!.counter!.error_pct < 3);
  // The workers counted 5 in flight; the records account for 4: a record per second of requests went missing.
  const lossy = honest.map((sample) => ({ ...sample, value: 5 }));
  t.true(scalingLevel(data.requests, level!, lossy).littles_law!.counter!.error_pct > 20);
});

test('max load under an SLO: bracketed, interpolated, with a CI that holds the true crossing', (t) => {
  // TTFT p95 ≈ 40 · max(1, level/8) · 1.045: crosses 100 ms at level 19.1.
  const { result, data } = syntheticRun([1, 2, 4, 8, 16, 24, 32].map(server(8, 40)));
  const levels = loadLevels(result, data.requests);
  const slo = analyzeSlos([parseSlo('ttft_ms:p95<100')], levels, data.requests)!;
  t.true(slo.bracketed);
  t.is(slo.max_level, 16);
  t.is(slo.first_failing_level, 24);
  t.true(slo.crossing! > 18 && slo.crossing! < 20.5, String(slo.crossing));
  t.true(slo.ci_low! <= 19.2 && slo.ci_high! >= 19, `${slo.ci_low}–${slo.ci_high}`);
  t.true(slo.ci_high! - slo.ci_low! < 3);
  t.regex(slo.sentence, /^max concurrency meeting ttft_ms p95<100: 16 \(the limit \d+, 95 % CI \d+–\d+\); at 24 ttft_ms p95 = 1\d\d ms$/);
});

test('max load under an SLO: never extrapolated; the lowest failing says so', (t) => {
  const { result, data } = syntheticRun([1, 2, 4].map(server(8, 40)));
  const levels = loadLevels(result, data.requests);
  const open = analyzeSlos([parseSlo('ttft_ms:p95<1000')], levels, data.requests)!;
  t.false(open.bracketed);
  t.is(open.max_level, 4);
  t.is(open.ci_low, null);
  t.regex(open.sentence, /every measured level met .* up to 4 users; the limit lies above/);
  const closed = analyzeSlos([parseSlo('ttft_ms:p50<10')], levels, data.requests)!;
  t.is(closed.max_level, null);
  t.regex(closed.sentence, /even the lowest level measured \(1 users\) fails/);
});

test('max load under two SLOs: the first to fail decides', (t) => {
  const { result, data } = syntheticRun([1, 2, 4, 8, 16, 24, 32].map(server(8, 40)));
  const slo = analyzeSlos([parseSlo('ttft_ms:p95<1000'), parseSlo('ttft_ms:p50<70')], loadLevels(result, data.requests), data.requests)!;
  t.is(slo.max_level, 8);
  t.is(slo.failing_metric, 'ttft_ms:p50<70');
});

test('an SLO that is not one is refused with what to write', (t) => {
  for (const bad of ['ttft:p95<1', 'ttft_ms:p97<1', 'ttft_ms:max<1', 'rps:>1', 'ttft_ms p95<1']) {
    const error = t.throws(() => parseSlo(bad), { instanceOf: AnalyticsError });
    t.is(error?.exitCode, 2, bad);
    t.regex(error?.message ?? '', /--slo/);
  }
});

test('a steady run has no anomaly; scores and methods are there', (t) => {
  const { result, data } = syntheticRun([{ level: 8, seconds: 60, ttftMs: (_t, random) => 40 + 4 * random() }]);
  const analysis = analyzeRun(result, data);
  t.deepEqual(analysis.anomalies, []);
  t.true(analysis.scores.predictability!.score > 80, JSON.stringify(analysis.scores));
  t.true(analysis.scores.responsiveness!.score > 90);
  t.regex(analysis.methods.anomalies!, /Mann-Whitney/);
});

test('a slowdown that starts and ends mid-run is found at both ends, within 2 s', (t) => {
  // TTFT triples for requests sent between 20 s and 35 s.
  const slow = (tMs: number) => tMs >= 20_000 && tMs < 35_000;
  const { result, data } = syntheticRun([{ level: 8, seconds: 60, ttftMs: (tMs, random) => (slow(tMs) ? 120 : 40) + 4 * random() }]);
  const start = Date.parse(result.started_at);
  const changes = analyzeRun(result, data).anomalies.filter((a) => a.kind === 'change_point' && a.metric === 'ttft_p50_ms');
  t.is(changes.length, 2, JSON.stringify(changes));
  t.true(Math.abs(changes[0]!.at_ms - start - 20_000) <= 2000, String(changes[0]!.at_ms - start));
  t.true(Math.abs(changes[1]!.at_ms - start - 35_000) <= 2000, String(changes[1]!.at_ms - start));
  t.true(changes[0]!.after > 100 && changes[0]!.before < 50);
  t.true(changes[0]!.magnitude_pct > 150);
});

test('a one-second spike is an outlier episode, not a change point', (t) => {
  const spike = (tMs: number) => tMs >= 30_000 && tMs < 31_000;
  const { result, data } = syntheticRun([{ level: 8, seconds: 60, ttftMs: (tMs, random) => (spike(tMs) ? 200 : 40) + 4 * random() }]);
  const anomalies = analyzeRun(result, data).anomalies.filter((a) => a.metric === 'ttft_p50_ms');
  t.is(anomalies.length, 1, JSON.stringify(anomalies));
  t.is(anomalies[0]!.kind, 'outlier');
  t.is(anomalies[0]!.end_ms! - anomalies[0]!.at_ms, 1000);
});

function runOf(levels: LevelShape[]) {
  const { result, data } = syntheticRun(levels);
  return [result, data] as const;
}
