/**
 * The simulator's small pure parts: token counting, output length, fault plans, Prometheus text, Go time
 * format, option validation, CLI flag parsing.
 */
import test from 'ava';
import { toOptions } from '../../cli/commands/sim.js';
import { UsageError } from '../../pipeline/core/errors.js';
import { goTime } from '../../simulator/dialects/ollama.js';
import { buckets125 } from '../../simulator/dialects/vllm-metrics.js';
import { FaultPlanner } from '../../simulator/faults.js';
import { Histogram } from '../../simulator/live-stats.js';
import { NO_FAULTS, resolveOptions, SimOptionError } from '../../simulator/options.js';
import { decideLength } from '../../simulator/output-length.js';
import { PrometheusText } from '../../simulator/prometheus-text.js';
import { countMessageTokens, countPromptTokens, countTextTokens, TokenStream } from '../../simulator/tokens.js';

const tokens = test.macro((t, text: string, expected: number) => t.is(countTextTokens(text), expected));
test('tokens of ""', tokens, '', 0);
test('tokens of "hello"', tokens, 'hello', 1);
test('tokens of "  the sky\\tis\\nblue  "', tokens, '  the sky\tis\nblue  ', 4);
test('tokens of "a-b,c"', tokens, 'a-b,c', 1);

test('prompt tokens: strings, token ids, mixed; chat messages', (t) => {
  t.is(countPromptTokens('one two three'), 3);
  t.is(countPromptTokens([101, 102, 103, 104]), 4);
  t.is(countPromptTokens(['one two', 7]), 3);
  t.is(countPromptTokens({ text: 'x' }), undefined);
  t.is(countMessageTokens([{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hi there you' }] }]), 5);
  t.is(countMessageTokens('nope'), undefined);
});

test('generated tokens are deterministic per seed', (t) => {
  const take = (seed: number) => {
    const stream = new TokenStream(seed);
    return Array.from({ length: 5 }, () => stream.next());
  };
  t.deepEqual(take(3), take(3));
  t.notDeepEqual(take(3), take(4));
  t.true(take(3).every((token) => /^ \S+$/.test(token.text)));
});

const length = test.macro((t, request: Parameters<typeof decideLength>[0], natural: number, expected: ReturnType<typeof decideLength>) =>
  t.deepEqual(decideLength(request, natural), expected),
);
test('ignore_eos gives exactly the cap', length, { maxTokens: 500, ignoreEos: true }, 10, { targetTokens: 500, finishReason: 'length' });
test('min_tokens = max_tokens gives exactly the cap', length, { maxTokens: 500, minTokens: 500 }, 10, { targetTokens: 500, finishReason: 'length' });
test('a cap below the natural length ends with length', length, { maxTokens: 8 }, 10, { targetTokens: 8, finishReason: 'length' });
test('a cap above the natural length ends with stop', length, { maxTokens: 80 }, 10, { targetTokens: 10, finishReason: 'stop' });
test('no cap: natural length, stop', length, { maxTokens: Number.POSITIVE_INFINITY }, 10, { targetTokens: 10, finishReason: 'stop' });
test('min_tokens above the natural length pushes EOS out', length, { maxTokens: 80, minTokens: 30 }, 10, { targetTokens: 30, finishReason: 'stop' });

test('fault plans: none at rate 0, all at rate 1, positions inside the stream, seeded', (t) => {
  const none = new FaultPlanner(NO_FAULTS, 1);
  t.deepEqual(none.plan(10), {});
  const all = new FaultPlanner({ ...NO_FAULTS, disconnectRate: 1, stallRate: 1, stallMs: 50, malformedRate: 1, midStreamErrorRate: 1, slowHeadersRate: 1, slowHeadersMs: 20 }, 1);
  for (let i = 0; i < 50; i++) {
    const plan = all.plan(10);
    t.is(plan.slowHeadersMs, 20);
    for (const at of [plan.disconnectAfterTokens, plan.stall?.afterTokens, plan.malformedAfterTokens, plan.midStreamErrorAfterTokens]) {
      t.true(at !== undefined && at >= 1 && at <= 9);
    }
  }
  const errors = new FaultPlanner({ ...NO_FAULTS, errorRate: 1, errorStatus: 503, disconnectRate: 1 }, 1);
  t.deepEqual(errors.plan(10), { errorStatus: 503 });
  const sequence = (seed: number) => {
    const planner = new FaultPlanner({ ...NO_FAULTS, disconnectRate: 0.3 }, seed);
    return Array.from({ length: 40 }, () => planner.plan(20).disconnectAfterTokens ?? 0);
  };
  t.deepEqual(sequence(9), sequence(9));
  t.notDeepEqual(sequence(9), sequence(10));
  const hits = sequence(9).filter((k) => k > 0).length;
  t.true(hits > 2 && hits < 25);
});

test('Prometheus text: python style floats, plain integers, histogram buckets cumulative', (t) => {
  const histogram = new Histogram([0.1, 1]);
  for (const v of [0.05, 0.5, 0.7, 3]) histogram.observe(v);
  const python = new PrometheusText('python');
  python.single('vllm:x_total', 'counter', 'An x.', { model_name: 'm' }, 3);
  python.family('vllm:h', 'histogram', 'A h.').histogramSamples('vllm:h', { model_name: 'm' }, histogram);
  t.is(
    python.toString(),
    [
      '# HELP vllm:x_total An x.',
      '# TYPE vllm:x_total counter',
      'vllm:x_total{model_name="m"} 3.0',
      '# HELP vllm:h A h.',
      '# TYPE vllm:h histogram',
      'vllm:h_bucket{model_name="m",le="0.1"} 1.0',
      'vllm:h_bucket{model_name="m",le="1.0"} 3.0',
      'vllm:h_bucket{model_name="m",le="+Inf"} 4.0',
      'vllm:h_sum{model_name="m"} 4.25',
      'vllm:h_count{model_name="m"} 4.0',
      '',
    ].join('\n'),
  );
  const plain = new PrometheusText('plain');
  plain.single('tgi_request_count', 'counter', undefined, {}, 3).single('x', 'gauge', undefined, { a: 'q"\\' }, 0.5);
  t.is(plain.toString(), '# TYPE tgi_request_count counter\ntgi_request_count 3\n# TYPE x gauge\nx{a="q\\"\\\\"} 0.5\n');
});

test("vLLM's 1-2-5 token buckets stop at the context length", (t) => {
  t.deepEqual(buckets125(8192), [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]);
  t.deepEqual(buckets125(100), [1, 2, 5, 10, 20, 50, 100]);
});

test("Go's RFC3339Nano: microseconds at most, trailing zeros trimmed", (t) => {
  t.is(goTime(Date.UTC(2025, 5, 1, 12, 0, 0, 101) + 0.2), '2025-06-01T12:00:00.1012Z');
  t.is(goTime(Date.UTC(2025, 5, 1, 12, 0, 0, 0)), '2025-06-01T12:00:00Z');
  t.is(goTime(Date.UTC(2025, 5, 1, 12, 0, 0, 101) + 0.2345), '2025-06-01T12:00:00.101235Z');
  t.is(goTime(Date.UTC(2025, 5, 1, 12, 0, 0, 101) + 0.9999), '2025-06-01T12:00:00.102Z');
});

test('options: every problem reported at once, each naming its option', (t) => {
  const error = t.throws(() => resolveOptions({ engine: 'vllm', port: -1, perf: { slots: 0, jitterFraction: 2 }, faults: { errorRate: 3, errorStatus: 200 } }), {
    instanceOf: SimOptionError,
  });
  t.true(error instanceof UsageError);
  t.is(error?.code, 'USAGE');
  t.deepEqual(
    error?.problems.map((p) => p.path),
    ['port', 'perf.slots', 'perf.jitterFraction', 'faults.errorRate', 'faults.errorStatus'],
  );
  t.throws(() => resolveOptions({ engine: 'nope' as 'vllm' }), { instanceOf: SimOptionError, message: /engine/ });
});

test('options: engine defaults, overrides, slow headers without a rate means every request', (t) => {
  const vllm = resolveOptions({ engine: 'vllm' });
  t.is(vllm.host, '127.0.0.1');
  t.is(vllm.perf.slots, 256);
  const ollama = resolveOptions({ engine: 'ollama', perf: { slots: 2, coldLoadMs: undefined } });
  t.is(ollama.perf.slots, 2);
  t.true(ollama.perf.coldLoadMs > 0);
  t.is(resolveOptions({ engine: 'tgi', faults: { slowHeadersMs: 30 } }).faults.slowHeadersRate, 1);
});

test('sim flags: numbers parsed, bad values are usage errors naming the flag', (t) => {
  const options = toOptions({ engine: 'tgi', port: '8080', seed: '7', ttftMs: '20', itlMs: '5', slots: '8', maxInFlight: 'inf', errorRate: '0.1', slowHeadersMs: '50' });
  t.like(options, { engine: 'tgi', port: 8080, seed: 7, fixed: { ttftMs: 20, itlMs: 5 }, perf: { slots: 8, maxInFlight: Number.POSITIVE_INFINITY }, faults: { errorRate: 0.1, slowHeadersMs: 50 } });
  t.throws(() => toOptions({ engine: 'nope' }), { instanceOf: UsageError, message: /--engine must be one of/ });
  t.throws(() => toOptions({ engine: 'vllm', slots: 'many' }), { instanceOf: UsageError, message: /--slots expects a number/ });
  t.throws(() => toOptions({ engine: 'vllm', ttftMs: '20' }), { instanceOf: UsageError, message: /--ttft-ms and --itl-ms/ });
});
