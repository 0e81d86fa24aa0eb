/** The data each chart of report.html is handed, computed in Node (no browser). */
import test from 'ava';
import { cdfChart, overlay } from '../../../analytics/report/latency-charts.js';
import { cdfPoints } from '../../../analytics/report/cdf.js';
import { MARK_COLORS, MAX_TIMELINE_POINTS } from '../../../analytics/report/chart-spec.js';
import { resourceCharts } from '../../../analytics/report/resource-charts.js';
import { scalingCharts } from '../../../analytics/report/scaling-charts.js';
import { timeAxis, timelineCharts, timeMarks } from '../../../analytics/report/timeline-charts.js';
import { mergeWindows, stageStarts } from '../../../analytics/report/timeline-windows.js';
import { parseSlo } from '../../../analytics/report/slo-text.js';
import { RequestTable, ResourceTable } from '../../../analytics/run-data.js';
import type { Point } from '../../../pipeline/core/point.js';
import { okRecord } from '../../helpers/records.js';
import { KNEE_LEVEL, LEVELS, SLO_BOUND_MS, START_MS, syntheticRun } from './helpers/synthetic-run.js';

const window = (stage: string, timeMs: number, fields: Record<string, number>): Point => ({ measurement: 'llm_window', tags: { stage }, fields, time_ms: timeMs });

test('windows of two stages in one second: counts and rates add up, a percentile is the higher one', (t) => {
  const timeline = mergeWindows([
    window('a', 2000, { rps: 3, output_tps: 30, in_flight: 2, errors: 1, dropped: 0, ttft_p95_ms: 100 }),
    window('a', 1000, { rps: 1, output_tps: 10, in_flight: 1, errors: 0, dropped: 0 }),
    window('b', 2000, { rps: 5, output_tps: 50, in_flight: 4, errors: 0, dropped: 2, ttft_p95_ms: 250 }),
  ]);
  t.deepEqual(timeline.endMs, [1000, 2000]);
  t.deepEqual(timeline.fields.rps, [1, 8]);
  t.deepEqual(timeline.fields.output_tps, [10, 80]);
  t.deepEqual(timeline.fields.in_flight, [1, 6]);
  t.deepEqual(timeline.fields.errors, [0, 1]);
  t.deepEqual(timeline.fields.dropped, [0, 2]);
  t.deepEqual(timeline.fields.ttft_p95_ms, [null, 250]);
});

test('stage starts: the first send of each stage’s requests; a stage without rows (warmup) from its first window', (t) => {
  const table = new RequestTable();
  table.add(okRecord({ stage: 'main', stage_index: 0, t_send: 5400, t_intended: 5400 }));
  table.add(okRecord({ stage: 'main', stage_index: 0, t_send: 5100, t_intended: 5100 }));
  table.add(okRecord({ stage: 'warmup', stage_index: -1, warmup: true, t_send: 100, t_intended: 100 }));
  const starts = stageStarts(table, [window('warmup', 3000, {}), window('warmup', 2000, {}), window('main', 6000, {})]);
  t.deepEqual(starts, [
    { name: 'warmup', atMs: 1000 },
    { name: 'main', atMs: 5100 },
  ]);
});

test('the timeline: five charts in seconds since the start, stage starts and anomalies marked on each', (t) => {
  const run = syntheticRun({ requests: 1200, durationS: 60, errorShare: 0.01 });
  const axis = timeAxis(START_MS, run.result.started_at);
  const marks = timeMarks(axis, stageStarts(run.data.requests, run.data.windows), run.anomalies);
  const charts = timelineCharts(mergeWindows(run.data.windows), axis, marks);
  t.deepEqual(charts.map((chart) => chart.id), ['timeline-output-tps', 'timeline-rps', 'timeline-in-flight', 'timeline-latency', 'timeline-errors']);
  const stageLines = marks.filter((mark) => mark.kind === 'vline' && mark.color === MARK_COLORS.stage);
  t.deepEqual(stageLines.map((mark) => mark.label), LEVELS.map((level) => `c=${level}`));
  t.true(stageLines.every((mark, index) => mark.kind === 'vline' && Math.abs(mark.x - index * 10) < 0.1), 'each stage starts 10 s after the last');
  t.deepEqual(
    marks.filter((mark) => mark.color === MARK_COLORS.anomaly),
    [
      { kind: 'vline', x: 40, label: 'A1 ttft_p50_ms change point', color: MARK_COLORS.anomaly },
      { kind: 'band', x0: 22, x1: 26, label: 'A2 output_tps outlier', color: MARK_COLORS.anomaly },
    ],
  );
  for (const chart of charts) t.is(chart.marks, marks);
  const errors = charts.find((chart) => chart.id === 'timeline-errors')!;
  t.is((errors.data[1] as number[]).reduce((sum, value) => sum + value, 0), run.result.summary.requests.error);
  const rps = charts.find((chart) => chart.id === 'timeline-rps')!;
  t.is((rps.data[1] as number[]).reduce((sum, value) => sum + value, 0), run.result.summary.requests.ok, 'every ok request counted once, in 1 s windows');
});

test('a long run’s timeline stays within 2 000 points per chart and keeps its extremes', (t) => {
  const run = syntheticRun({ requests: 20_000, durationS: 3600, errorShare: 0.01 });
  const axis = timeAxis(START_MS, run.result.started_at);
  const timeline = mergeWindows(run.data.windows);
  t.true(timeline.endMs.length > 3000);
  for (const chart of timelineCharts(timeline, axis, [])) {
    t.true(chart.data[0]!.length <= MAX_TIMELINE_POINTS, `${chart.id}: ${chart.data[0]!.length}`);
    t.regex(chart.note, /windows drawn as \d+ points/);
  }
  const inFlight = timelineCharts(timeline, axis, []).find((chart) => chart.id === 'timeline-in-flight')!;
  const all = timeline.fields.in_flight.filter((value): value is number => value !== null);
  const drawn = inFlight.data[1]!.filter((value): value is number => value !== null);
  t.is(Math.max(...drawn), Math.max(...all));
  t.is(Math.min(...drawn), Math.min(...all));
  for (const chart of resourceCharts(run.data.resources, axis, [])) t.true(chart.data[0]!.length <= MAX_TIMELINE_POINTS, `${chart.id}: ${chart.data[0]!.length}`);
});

test('no errors and no drops: no errors chart', (t) => {
  const run = syntheticRun({ requests: 600, durationS: 30 });
  const ids = timelineCharts(mergeWindows(run.data.windows), timeAxis(START_MS, run.result.started_at), []).map((chart) => chart.id);
  t.deepEqual(ids, ['timeline-output-tps', 'timeline-rps', 'timeline-in-flight', 'timeline-latency']);
});

test('the scaling curve: measured levels on a log2 axis, the knee, the SLO bound on its metric and the highest level meeting it', (t) => {
  const run = syntheticRun({ requests: 1200, durationS: 60 });
  const [throughput, latency] = scalingCharts(run.result.analysis);
  t.deepEqual(throughput!.data[0], [...LEVELS]);
  t.is(throughput!.x.log, 2);
  t.deepEqual(throughput!.data[1], run.result.analysis!.scaling.levels.map((level) => level.output_tps));
  t.deepEqual(latency!.series.map((series) => series.label), ['TTFT p95 (ms)', 'e2e p95 (ms)', 'ITL p95 (ms)']);
  t.deepEqual(latency!.data[1], run.result.analysis!.scaling.levels.map((level) => level.metrics.ttft_ms!.p95));
  t.deepEqual(
    latency!.marks.map((mark) => [mark.kind, mark.label]),
    [
      ['vline', `knee: ${KNEE_LEVEL}`],
      ['band', 'SLO crossing ≈ 11 (95 % CI)'],
      ['vline', 'max under SLO: 8'],
      ['hline', 'SLO ttft_ms:p95<900'],
    ],
  );
  t.like(latency!.marks[3], { kind: 'hline', y: SLO_BOUND_MS, axis: 0 });
  t.false(throughput!.marks.some((mark) => mark.kind === 'hline'), 'the SLO bound is a latency');
});

test('no scaling chart with fewer than two levels', (t) => {
  const run = syntheticRun({ requests: 600, durationS: 30 });
  const analysis = run.result.analysis!;
  t.deepEqual(scalingCharts({ ...analysis, scaling: { levels: analysis.scaling.levels.slice(0, 1), knee: null } }), []);
  t.deepEqual(scalingCharts(undefined), []);
});

test('resources: GPU, power, CPU, memory and engine charts from the samples, in units a person reads', (t) => {
  const run = syntheticRun({ requests: 600, durationS: 30 });
  const charts = resourceCharts(run.data.resources, timeAxis(START_MS, run.result.started_at), []);
  t.deepEqual(charts.map((chart) => chart.id), ['resources-gpu', 'resources-gpu-power', 'resources-cpu', 'resources-memory', 'resources-engine']);
  const engine = charts.find((chart) => chart.id === 'resources-engine')!;
  t.deepEqual(engine.series.map((series) => [series.label, series.axis]), [
    ['vllm:kv_cache_usage_perc %', 0],
    ['vllm:num_requests_waiting', 1],
  ]);
  const kv = engine.data[1]!.filter((value): value is number => value !== null);
  t.is(kv.length, 30);
  t.true(Math.abs(kv[0]! - 5) < 1e-9, 'a 0–1 ratio shown in %');
  const memory = charts.find((chart) => chart.id === 'resources-memory')!;
  t.true(Math.abs(memory.data[1]![0]! - 8) < 1e-9, 'bytes shown in GiB');
  t.deepEqual(memory.data[0]!.slice(0, 3), [0, 1, 2]);
});

test('no resource samples, no resource charts', (t) => {
  t.deepEqual(resourceCharts(new ResourceTable(), timeAxis(0, ''), []), []);
});

test('CDF overlay: both curves on one axis, each row one curve’s, repeated values keeping their steps', (t) => {
  const a = cdfPoints([1, 2, 2, 3]);
  const b = cdfPoints([2, 4]);
  t.deepEqual(overlay([a, b]), [
    [1, 2, 2, 2, 3, 4],
    [0, 1 / 3, 2 / 3, null, 1, null],
    [null, null, null, 0, null, 1],
  ]);
  const chart = cdfChart('c', 'ttft_ms', [
    { label: 'base', color: '#000000', values: [1, 2, 3] },
    { label: 'cand', color: '#111111', values: [] },
  ], (side) => side.label)!;
  t.deepEqual(chart.series.map((series) => series.label), ['base'], 'a side with no values is left out');
  t.is(cdfChart('c', 'ttft_ms', [{ label: 'x', color: '#000000', values: [] }], () => ''), undefined);
});

test('a CDF whose tail spans two decades is drawn on a log axis', (t) => {
  const chart = cdfChart('c', 'ttft_ms', [{ label: 'x', color: '#000000', values: [10, 20, 30, 5000] }], () => '')!;
  t.is(chart.x.log, 10);
  t.is(cdfChart('c', 'ttft_ms', [{ label: 'x', color: '#000000', values: [10, 20, 30, 500] }], () => '')!.x.log, undefined);
});

test('parseSlo reads the --slo syntax', (t) => {
  t.deepEqual(parseSlo('ttft_ms:p95<1000'), { metric: 'ttft_ms', stat: 'p95', op: '<', value: 1000 });
  t.deepEqual(parseSlo(' itl_ms : p99 <= 25.5 '), { metric: 'itl_ms', stat: 'p99', op: '<=', value: 25.5 });
  t.is(parseSlo('nonsense'), undefined);
});
