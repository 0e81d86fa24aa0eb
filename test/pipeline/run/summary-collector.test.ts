import test from 'ava';
import { SummaryCollector } from '../../../pipeline/run/summary-collector.js';
import { okRecord } from '../../helpers/records.js';

test('counts ok, error and dropped separately and summarises only successful requests', (t) => {
  const collector = new SummaryCollector();
  collector.add(okRecord({ metrics: { ttft_ms: 10 }, sources: { ttft_ms: 'client' } }));
  collector.add(okRecord({ metrics: { ttft_ms: 30 }, sources: { ttft_ms: 'client' } }));
  collector.add(okRecord({ status: 'error', error_kind: 'http_5xx', metrics: { ttft_ms: 999 } }));
  collector.add(okRecord({ status: 'dropped', error_kind: 'dropped', t_send: undefined, t_done: undefined }));
  const summary = collector.summary();
  t.deepEqual(summary.requests, { total: 4, ok: 2, error: 1, dropped: 1 });
  t.deepEqual(summary.errors_by_kind, { http_5xx: 1, dropped: 1 });
  t.is(summary.error_rate, 0.5);
  t.is(summary.metrics.ttft_ms?.count, 2);
  t.is(summary.metrics.ttft_ms?.mean, 20);
  t.deepEqual(summary.metrics.ttft_ms?.sources, { client: 2 });
});

test('throughput is over the span from the first send to the last completion', (t) => {
  const collector = new SummaryCollector();
  collector.add(okRecord({ t_send: 0, t_done: 1000, output_tokens: 10, prompt_tokens: 5 }));
  collector.add(okRecord({ t_send: 1000, t_done: 2000, output_tokens: 30, prompt_tokens: 5 }));
  const summary = collector.summary();
  t.is(summary.duration_ms, 2000);
  t.is(summary.throughput.rps, 1);
  t.is(summary.throughput.output_tps, 20);
  t.is(summary.throughput.total_tps, 25);
});

test('pooled ITL takes every per-token gap; a 2-token chunk gives two half gaps', (t) => {
  const collector = new SummaryCollector();
  collector.add(okRecord({ chunks: [[10, 1], [20, 1], [40, 2]] }));
  const pooled = collector.summary().metrics.itl_pooled_ms;
  t.is(pooled?.count, 3); // 10, then 20/2 twice
  t.deepEqual([pooled?.min, pooled?.max], [10, 10]);
  t.is(collector.summary().metrics.icl_pooled_ms?.count, 2);
});

test('stalls are gaps over 3x the request median gap', (t) => {
  const collector = new SummaryCollector();
  collector.add(okRecord({ chunks: [[0, 1], [10, 1], [20, 1], [30, 1], [100, 1]] }));
  t.is(collector.summary().jitter.stall_count, 1);
});

test('goodput counts requests meeting every SLO', (t) => {
  const collector = new SummaryCollector([{ metric: 'ttft_ms', op: '<', value: 100 }]);
  collector.add(okRecord({ t_send: 0, t_done: 1000, metrics: { ttft_ms: 50 } }));
  collector.add(okRecord({ t_send: 0, t_done: 1000, metrics: { ttft_ms: 150 } }));
  const summary = collector.summary();
  t.is(summary.throughput.rps, 2);
  t.is(summary.throughput.goodput_rps, 1);
});

test('merging stage collectors gives the summary one collector over every record would', (t) => {
  const slos = [{ metric: 'ttft_ms', op: '<', value: 40 }] as const;
  const records = Array.from({ length: 60 }, (_, i) =>
    okRecord({
      t_send: 1000 + i * 37,
      t_done: 1500 + i * 41,
      output_tokens: 3 + (i % 4),
      prompt_tokens: 10 + i,
      metrics: { ttft_ms: 20 + ((i * 13) % 50), itl_ms: 5 + (i % 3) },
      sources: { ttft_ms: i % 5 === 0 ? 'server' : 'client', itl_ms: 'client' },
      chunks: [[10, 1], [20 + (i % 7), 1], [30 + i, 2], [200 + i, 1]],
      ...(i % 11 === 0 ? { status: 'error' as const, error_kind: 'http_5xx' as const } : {}),
      ...(i % 17 === 0 ? { status: 'dropped' as const, error_kind: 'dropped' as const, t_send: undefined, t_done: undefined } : {}),
    }),
  );
  const whole = new SummaryCollector(slos);
  const stages = [new SummaryCollector(slos), new SummaryCollector(slos), new SummaryCollector(slos)];
  records.forEach((record, i) => {
    whole.add(record);
    stages[i < 10 ? 0 : i < 45 ? 1 : 2]!.add(record);
  });
  const merged = SummaryCollector.merge(stages, slos).summary();
  const expected = whole.summary();
  // The CV mean is a float sum taken in another order; everything else is exact.
  t.is(merged.jitter.itl_cv_mean!.toFixed(12), expected.jitter.itl_cv_mean!.toFixed(12));
  t.deepEqual({ ...merged, jitter: { ...merged.jitter, itl_cv_mean: 0 } }, { ...expected, jitter: { ...expected.jitter, itl_cv_mean: 0 } });
  t.true(expected.requests.error > 0 && expected.requests.dropped > 0 && expected.jitter.stall_count > 0, 'the records exercise every counter');
  t.is(SummaryCollector.merge([]).total, 0);
  t.is(SummaryCollector.merge([stages[1]!]), stages[1]!, "a single stage is the run: no copy");
});
