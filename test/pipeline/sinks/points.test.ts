import test from 'ava';
import type { Point } from '../../../pipeline/core/point.js';
import type { RequestRecord } from '../../../pipeline/core/record.js';
import { recordToPoints, resourcePoints, runPoint, statFieldName } from '../../../pipeline/sinks/points.js';
import { windowPoints, WindowAccumulator } from '../../../pipeline/run/windows.js';
import { droppedRecord, errorRecord, okRecord, RUN, runResult } from './helpers/records.js';

const byMeasurement = (points: Point[], measurement: string) => points.filter((p) => p.measurement === measurement);

test('an ok streamed request maps to one llm_request at t_send and one llm_token per chunk', (t) => {
  const record = okRecord({ tokens: 3, ttftMs: 40, gapMs: 10 });
  const points = recordToPoints(record, RUN);
  const [request, ...tokens] = points;
  t.is(points.length, 4);
  t.is(request!.measurement, 'llm_request');
  t.deepEqual(request!.tags, { run_id: 'run-1', scenario: 'quick', engine: 'vllm', model: 'tiny', stage: 'main', status: 'ok' });
  t.is(request!.time_ms, record.t_send!);
  t.is(request!.fields.request_id, 'req-1', 'request_id is a field');
  t.false('request_id' in request!.tags);
  t.is(request!.fields.tokens, 3);
  t.is(request!.fields.ttft_ms, 40);
  t.is(request!.fields.eval_token_rate, 100);
  t.false('error_kind' in request!.fields);
  t.deepEqual(tokens.map((p) => p.measurement), ['llm_token', 'llm_token', 'llm_token']);
  t.deepEqual(tokens[0]!.tags, { run_id: 'run-1', engine: 'vllm', model: 'tiny', stage: 'main' });
  t.deepEqual(tokens.map((p) => p.time_ms), [record.t_send! + 40, record.t_send! + 50, record.t_send! + 60]);
  t.deepEqual(tokens.map((p) => p.fields), [
    { request_id: 'req-1', index: 0, tokens: 1, offset_ms: 40 },
    { request_id: 'req-1', index: 1, tokens: 1, offset_ms: 50, gap_ms: 10 },
    { request_id: 'req-1', index: 2, tokens: 1, offset_ms: 60, gap_ms: 10 },
  ]);
});

test('every metric of the record becomes a field of llm_request, and the rest travels in record_json', (t) => {
  const record = okRecord();
  const [request] = recordToPoints(record, RUN);
  for (const [name, value] of Object.entries(record.metrics)) t.is(request!.fields[name], value, name);
  const rest = JSON.parse(String(request!.fields.record_json)) as Record<string, unknown>;
  t.false('metrics' in rest);
  t.false('chunks' in rest);
  t.is(rest.t_done, record.t_done);
  t.deepEqual(rest.server, record.server);
});

test('a dropped request that was never sent is stamped at t_intended and has no tokens', (t) => {
  const record = droppedRecord();
  const points = recordToPoints(record, RUN);
  t.is(points.length, 1);
  t.is(points[0]!.time_ms, record.t_intended);
  t.is(points[0]!.tags.status, 'dropped');
  t.is(points[0]!.fields.error_kind, 'dropped');
  t.is(points[0]!.fields.tokens, 0);
});

test('an error request carries error_kind and http_status as fields, status as a tag', (t) => {
  const [request] = recordToPoints(errorRecord(), RUN);
  t.is(request!.tags.status, 'error');
  t.is(request!.fields.error_kind, 'overloaded');
  t.is(request!.fields.http_status, 503);
  t.false('error_kind' in request!.tags);
});

test('a chunk that carried no token has no gap, and the next gap spans back to the last token', (t) => {
  const record = { ...okRecord(), chunks: [[40, 1], [45, 0], [60, 2]] as RequestRecord['chunks'] };
  const tokens = byMeasurement(recordToPoints(record, RUN), 'llm_token');
  t.deepEqual(tokens.map((p) => p.fields.gap_ms), [undefined, undefined, 20]);
  t.deepEqual(tokens.map((p) => p.fields.tokens), [1, 0, 2]);
});

test('resource points keep their tags and gain run_id', (t) => {
  const sample: Point = { measurement: 'gpu', tags: { gpu: '0', host: 'h' }, fields: { util_pct: 97 }, time_ms: 1 };
  t.deepEqual(resourcePoints([sample], 'run-9'), [{ ...sample, tags: { gpu: '0', host: 'h', run_id: 'run-9' } }]);
  t.deepEqual(sample.tags, { gpu: '0', host: 'h' }, 'the input is not mutated');
});

test('llm_run carries status, validity and headline statistics at the run end', (t) => {
  const point = runPoint(runResult());
  t.is(point.measurement, 'llm_run');
  t.deepEqual(point.tags, { run_id: 'run-1', scenario: 'quick', engine: 'vllm', model: 'tiny' });
  t.is(point.time_ms, Date.parse('2026-11-27T10:01:00.000Z'));
  t.is(point.fields.status, 'completed');
  t.is(point.fields.valid, true);
  t.is(point.fields.requests_total, 80);
  t.is(point.fields.ttft_p95_ms, 45);
  t.is(point.fields.eval_token_rate_mean, 95);
  t.false('itl_p95_ms' in point.fields, 'absent metrics are absent, not zero');
});

const statName = test.macro((t, metric: string, stat: string, expected: string) => t.is(statFieldName(metric, stat), expected));
test('stat field ttft_ms p95', statName, 'ttft_ms', 'p95', 'ttft_p95_ms');
test('stat field eval_token_rate p50', statName, 'eval_token_rate', 'p50', 'eval_token_rate_p50');

// Windows: requests completing in known seconds (epoch seconds 100, 101, 102 …).
function timed(id: string, sendMs: number, doneMs: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  const record = okRecord({ requestId: id, sendMs, chunkOffsetsMs: [doneMs - sendMs - 2, doneMs - sendMs - 1] });
  return { ...record, t_done: doneMs, ...extra };
}

test('llm_window counts completions, errors, drops, in-flight and token arrivals per second', (t) => {
  const records = [
    timed('a', 100_100, 100_900, { metrics: { ttft_ms: 10 } }), // completes in window 100
    timed('b', 100_200, 102_500, { metrics: { ttft_ms: 30 } }), // in flight at the ends of windows 100 and 101
    { ...errorRecord('c', 101_050), t_done: 101_100 },
    { ...droppedRecord('d', 101_500) },
  ];
  const windows = windowPoints(records, RUN);
  t.deepEqual(windows.map((p) => p.time_ms), [101_000, 102_000, 103_000]);
  t.deepEqual(windows.map((p) => p.tags), Array(3).fill({ run_id: 'run-1', engine: 'vllm', model: 'tiny', stage: 'main' }));
  // a and b were sent in window 100 (0.5 ms late each), c in window 101 (1 ms late); d was never sent.
  t.deepEqual(windows[0]!.fields, { rps: 1, output_tps: 2, in_flight: 1, errors: 0, dropped: 0, ttft_p50_ms: 10, ttft_p95_ms: 10, schedule_lag_p95_ms: 0.5 });
  t.deepEqual(windows[1]!.fields, { rps: 0, output_tps: 0, in_flight: 1, errors: 1, dropped: 1, schedule_lag_p95_ms: 1 });
  t.deepEqual(windows[2]!.fields, { rps: 1, output_tps: 2, in_flight: 0, errors: 0, dropped: 0, ttft_p50_ms: 30, ttft_p95_ms: 30 });
});

test('llm_window is independent of record order', (t) => {
  const records = Array.from({ length: 40 }, (_, i) => timed(`r${i}`, 200_000 + i * 97, 200_500 + i * 131, { metrics: { ttft_ms: i } }));
  t.deepEqual(windowPoints([...records].reverse(), RUN), windowPoints(records, RUN));
});

test('takeFinal hands each window out once, when it ends before the watermark, with its final values', (t) => {
  // Records arrive in completion order, each with the watermark a worker would give: the earliest send still in flight.
  const records = Array.from({ length: 40 }, (_, i) => timed(`r${i}`, 200_000 + i * 97, 200_500 + i * 131, { metrics: { ttft_ms: i } }))
    .sort((a, b) => a.t_done! - b.t_done!);
  const live = new WindowAccumulator(RUN);
  const handedOut: Point[] = [];
  records.forEach((record, i) => {
    live.add(record);
    const stillInFlight = records.slice(i + 1).map((later) => later.t_send!);
    handedOut.push(...live.takeFinal(Math.min(record.t_done!, ...stillInFlight)));
  });
  const beforeEnd = handedOut.length;
  handedOut.push(...live.takeAll());
  t.true(beforeEnd > 0 && beforeEnd < handedOut.length, `${beforeEnd} of ${handedOut.length} final before the end`);
  t.deepEqual(handedOut, windowPoints(records, RUN));
  t.is(new Set(handedOut.map((point) => point.time_ms)).size, handedOut.length, 'each window once');
  t.is(live.lateRecords, 0);
});

test('a record that would change a window already handed out is counted as late and changes nothing', (t) => {
  const live = new WindowAccumulator(RUN);
  live.add(timed('a', 100_100, 100_900));
  const [first] = live.takeFinal(101_500);
  t.is(first!.time_ms, 101_000);
  live.add(timed('late', 100_200, 100_800));
  t.is(live.lateRecords, 1);
  t.deepEqual(live.takeAll(), []);
});

test('a non-streamed answer counts its output tokens at completion', (t) => {
  const record = { ...timed('n', 300_100, 300_400), chunks: [], output_tokens: 64 };
  const [window] = windowPoints([record], RUN);
  t.is(window!.fields.output_tps, 64);
});

test("llm_run carries the analysis' answers when the run has them: knee, SLO limit and its CI, anomaly count", (t) => {
  const analysis = {
    scaling: { levels: [], knee: { level: 16, rps: 30, beyond: null, method: 'Kneedle' } },
    slo: { slos: ['ttft_ms:p95<300'], max_level: 16, kind: 'concurrency', ci_low: 17.2, ci_high: 17.5, crossing: 17.35, bracketed: true, first_failing_level: 18, failing_metric: 'ttft_ms:p95<300', failing_value: 420, levels: [], method: 'isotonic', sentence: '' },
    anomalies: [],
    correlations: [],
    scores: { predictability: null, responsiveness: null },
    recommendations: [],
    methods: {},
  } as const;
  const point = runPoint(runResult({ analysis }));
  t.like(point.fields, { knee_level: 16, slo_max_level: 16, slo_ci_low: 17.2, slo_ci_high: 17.5, anomalies: 0 });
  t.false('knee_level' in runPoint(runResult()).fields);
});
