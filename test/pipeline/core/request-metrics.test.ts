/**
 * Table tests of every per-request formula in DESIGN §4, with the expected numbers worked out by hand in
 * each row's comment. Stamps are epoch ms; the chunk log holds offsets from t_send.
 */
import test from 'ava';
import type { ServerReport } from '../../../pipeline/core/engine.js';
import type { MetricSources, RequestMetrics } from '../../../pipeline/core/record.js';
import { computeRequestMetrics, gapsOf, type RequestTiming } from '../../../pipeline/core/request-metrics.js';

const T_INTENDED = 1000;
const T_SEND = 1002;

interface Row {
  readonly timing: Partial<RequestTiming>;
  readonly report?: ServerReport;
  readonly outputTokens: number;
  readonly promptTokens?: number;
  readonly networkRttMs?: number;
  /** Exactly these metrics (others must be absent), to 1e-9. */
  readonly metrics: RequestMetrics;
  readonly sources: MetricSources;
  readonly itlGapsMs?: number[];
  readonly iclGapsMs?: number[];
}

const closeTo = (actual: number | undefined, expected: number) => actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));

const check = test.macro((t, row: Row) => {
  const timing: RequestTiming = { tIntended: T_INTENDED, tSend: T_SEND, tDone: T_SEND + 100, streamed: true, chunks: [], ...row.timing };
  const result = computeRequestMetrics(timing, row.report ?? { raw: {} }, row.outputTokens, row.promptTokens ?? 100, { networkRttMs: row.networkRttMs ?? 1 });
  t.deepEqual(Object.keys(result.metrics).sort(), Object.keys(row.metrics).sort(), 'which metrics exist');
  for (const [name, expected] of Object.entries(row.metrics)) {
    const actual = result.metrics[name as keyof RequestMetrics];
    t.true(closeTo(actual, expected), `${name}: ${actual} ≠ ${expected}`);
  }
  t.deepEqual(result.sources, row.sources);
  if (row.itlGapsMs) t.deepEqual(result.itlGapsMs.map((g) => +g.toFixed(9)), row.itlGapsMs);
  if (row.iclGapsMs) t.deepEqual(result.iclGapsMs, row.iclGapsMs);
});

const clientOnly = { load_duration_ms: 'resident', output_tokens: 'client', prompt_tokens: 'client', schedule_lag_ms: 'client', e2e_from_schedule_ms: 'client', total_duration_ms: 'client' } as const;

test('one token per chunk, no server timings (TGI-like stream)', check, {
  // tokens at +50, +60, +75, +90 from t_send; end at +93.
  timing: { tFirstToken: T_SEND + 50, tLastToken: T_SEND + 90, tDone: T_SEND + 93, chunks: [[50, 1], [60, 1], [75, 1], [90, 1]] },
  outputTokens: 4,
  metrics: {
    schedule_lag_ms: 2, // 1002 − 1000
    e2e_from_schedule_ms: 95, // 1095 − 1000
    total_duration_ms: 93,
    ttft_ms: 50,
    tpot_ms: 40 / 3, // (90 − 50) / (4 − 1)
    itl_ms: 40 / 3, // gaps 10, 15, 15
    icl_ms: 40 / 3,
    tokens_per_chunk: 1,
    load_duration_ms: 0, // loads at start: resident
    prompt_eval_duration_ms: 49, // ttft 50 − queue 0 − rtt 1
    prompt_token_rate: 100 / 0.049, // 100 prompt tokens / 49 ms
    eval_duration_ms: 40, // t_last − t_first
    eval_token_rate: 75, // (4 − 1) / 0.040 s
    output_tokens: 4,
    prompt_tokens: 100,
  },
  sources: {
    ...clientOnly,
    ttft_ms: 'client',
    tpot_ms: 'client',
    itl_ms: 'client',
    icl_ms: 'client',
    tokens_per_chunk: 'client',
    prompt_eval_duration_ms: 'derived',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'client',
    eval_token_rate: 'derived',
  },
  itlGapsMs: [10, 15, 15],
  iclGapsMs: [10, 15, 15],
});

test('a chunk gap g carrying k tokens gives k gaps of g/k; mean ITL equals TPOT', check, {
  // chunks: 1 token at +50, 3 at +70 (gap 20 → 3 × 20/3), 2 at +80 (gap 10 → 2 × 5).
  timing: { tFirstToken: T_SEND + 50, tLastToken: T_SEND + 80, tDone: T_SEND + 81, chunks: [[50, 1], [70, 3], [80, 2]] },
  outputTokens: 6,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 83,
    total_duration_ms: 81,
    ttft_ms: 50,
    tpot_ms: 6, // 30 / 5
    itl_ms: 6, // (20 + 10) / 5 gaps
    icl_ms: 15, // (20 + 10) / 2 chunk gaps
    tokens_per_chunk: 2, // 6 tokens / 3 chunks
    load_duration_ms: 0,
    prompt_eval_duration_ms: 49,
    prompt_token_rate: 100 / 0.049,
    eval_duration_ms: 30,
    eval_token_rate: 5 / 0.03,
    output_tokens: 6,
    prompt_tokens: 100,
  },
  sources: {
    ...clientOnly,
    ttft_ms: 'client',
    tpot_ms: 'client',
    itl_ms: 'client',
    icl_ms: 'client',
    tokens_per_chunk: 'client',
    prompt_eval_duration_ms: 'derived',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'client',
    eval_token_rate: 'derived',
  },
  itlGapsMs: [6.666666667, 6.666666667, 6.666666667, 5, 5],
  iclGapsMs: [20, 10],
});

test('extra tokens in the first chunk arrived with the first: gaps of 0', check, {
  timing: { tFirstToken: T_SEND + 50, tLastToken: T_SEND + 60, tDone: T_SEND + 60, chunks: [[50, 3], [60, 1]] },
  outputTokens: 4,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 62,
    total_duration_ms: 60,
    ttft_ms: 50,
    tpot_ms: 10 / 3,
    itl_ms: 10 / 3, // gaps 0, 0, 10
    icl_ms: 10,
    tokens_per_chunk: 2,
    load_duration_ms: 0,
    prompt_eval_duration_ms: 49,
    prompt_token_rate: 100 / 0.049,
    eval_duration_ms: 10,
    eval_token_rate: 300,
    output_tokens: 4,
    prompt_tokens: 100,
  },
  sources: {
    ...clientOnly,
    ttft_ms: 'client',
    tpot_ms: 'client',
    itl_ms: 'client',
    icl_ms: 'client',
    tokens_per_chunk: 'client',
    prompt_eval_duration_ms: 'derived',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'client',
    eval_token_rate: 'derived',
  },
  itlGapsMs: [0, 0, 10],
  iclGapsMs: [10],
});

test('server load, prefill and decode (Ollama-like report): server sources, derived rates', check, {
  timing: { tFirstToken: T_SEND + 52, tLastToken: T_SEND + 76, tDone: T_SEND + 80, chunks: [[52, 1], [60, 1], [68, 1], [76, 1]] },
  report: {
    promptTokens: 31,
    outputTokens: 4,
    loadDurationMs: 15.25,
    promptEvalDurationMs: 35,
    evalDurationMs: 24,
    serverTotalDurationMs: 78.5,
    evalTokenRateEngine: 4 / 0.024,
    raw: {},
  },
  outputTokens: 4,
  promptTokens: 31,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 82,
    total_duration_ms: 80,
    ttft_ms: 52,
    tpot_ms: 8, // (76 − 52) / 3, client
    itl_ms: 8,
    icl_ms: 8,
    tokens_per_chunk: 1,
    load_duration_ms: 15.25,
    prompt_eval_duration_ms: 35,
    prompt_token_rate: 31 / 0.035, // prompt_eval_count / prompt_eval_duration
    eval_duration_ms: 24,
    eval_token_rate: 125, // (4 − 1) / 0.024 s: N − 1, not the engine's N
    eval_token_rate_engine: 4 / 0.024,
    server_total_duration_ms: 78.5,
    output_tokens: 4,
    prompt_tokens: 31,
  },
  sources: {
    schedule_lag_ms: 'client',
    e2e_from_schedule_ms: 'client',
    total_duration_ms: 'client',
    output_tokens: 'server',
    prompt_tokens: 'server',
    server_total_duration_ms: 'server',
    eval_token_rate_engine: 'server',
    ttft_ms: 'client',
    tokens_per_chunk: 'client',
    icl_ms: 'client',
    tpot_ms: 'client',
    itl_ms: 'client',
    load_duration_ms: 'server',
    prompt_eval_duration_ms: 'server',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'server',
    eval_token_rate: 'derived',
  },
});

test('the engine’s own prompt rate (llama.cpp prompt_per_second) is taken as server', check, {
  timing: { tFirstToken: T_SEND + 40, tLastToken: T_SEND + 40, tDone: T_SEND + 41, chunks: [[40, 1]] },
  report: { promptTokensComputed: 12, promptEvalDurationMs: 35.21, evalDurationMs: 0, promptTokenRateEngine: 340.8, raw: {} },
  outputTokens: 1,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 43,
    total_duration_ms: 41,
    ttft_ms: 40,
    itl_ms: 0, // one token: no gap, 0 by definition
    tokens_per_chunk: 1,
    load_duration_ms: 0,
    prompt_eval_duration_ms: 35.21,
    prompt_token_rate: 340.8,
    eval_duration_ms: 0,
    eval_token_rate: 0, // one token has no decode interval
    output_tokens: 1,
    prompt_tokens: 100,
  },
  sources: {
    ...clientOnly,
    ttft_ms: 'client',
    itl_ms: 'derived',
    tokens_per_chunk: 'client',
    prompt_eval_duration_ms: 'server',
    prompt_token_rate: 'server',
    eval_duration_ms: 'server',
    eval_token_rate: 'derived',
  },
});

test('derived prefill subtracts the server queue and one round trip; the rate uses computed (uncached) tokens', check, {
  timing: { tFirstToken: T_SEND + 50, tLastToken: T_SEND + 70, tDone: T_SEND + 71, chunks: [[50, 1], [70, 1]] },
  report: { queueMs: 5, promptTokens: 100, promptTokensComputed: 80, cachedTokens: 20, raw: {} },
  outputTokens: 2,
  networkRttMs: 1,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 73,
    total_duration_ms: 71,
    ttft_ms: 50,
    tpot_ms: 20,
    itl_ms: 20,
    icl_ms: 20,
    tokens_per_chunk: 1,
    queue_ms: 5,
    load_duration_ms: 0,
    prompt_eval_duration_ms: 44, // 50 − 5 − 1
    prompt_token_rate: 80 / 0.044,
    eval_duration_ms: 20,
    eval_token_rate: 50, // 1 / 0.020 s
    output_tokens: 2,
    prompt_tokens: 100,
  },
  sources: {
    ...clientOnly,
    prompt_tokens: 'server',
    queue_ms: 'server',
    ttft_ms: 'client',
    tpot_ms: 'client',
    itl_ms: 'client',
    icl_ms: 'client',
    tokens_per_chunk: 'client',
    prompt_eval_duration_ms: 'derived',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'client',
    eval_token_rate: 'derived',
  },
});

test('a derived prefill that queue + round trip would make ≤ 0 falls back to the client TTFT, so the rate stays finite', check, {
  timing: { tFirstToken: T_SEND + 3, tLastToken: T_SEND + 3, tDone: T_SEND + 4, chunks: [[3, 1]] },
  report: { queueMs: 5, raw: {} },
  outputTokens: 1,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 6,
    total_duration_ms: 4,
    ttft_ms: 3,
    itl_ms: 0,
    tokens_per_chunk: 1,
    queue_ms: 5,
    load_duration_ms: 0,
    prompt_eval_duration_ms: 3,
    prompt_token_rate: 100 / 0.003,
    eval_duration_ms: 0,
    eval_token_rate: 0,
    output_tokens: 1,
    prompt_tokens: 100,
  },
  sources: {
    ...clientOnly,
    queue_ms: 'server',
    ttft_ms: 'client',
    itl_ms: 'derived',
    tokens_per_chunk: 'client',
    prompt_eval_duration_ms: 'derived',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'client',
    eval_token_rate: 'derived',
  },
});

test('schedule lag and e2e from schedule: coordinated-omission-safe latency', check, {
  // Intended at 1000, sent 500 ms late at 1500, done at 1600.
  timing: { tSend: 1500, tFirstToken: 1550, tLastToken: 1590, tDone: 1600, chunks: [[50, 1], [90, 1]] },
  outputTokens: 2,
  metrics: {
    schedule_lag_ms: 500,
    e2e_from_schedule_ms: 600,
    total_duration_ms: 100,
    ttft_ms: 50,
    tpot_ms: 40,
    itl_ms: 40,
    icl_ms: 40,
    tokens_per_chunk: 1,
    load_duration_ms: 0,
    prompt_eval_duration_ms: 49,
    prompt_token_rate: 100 / 0.049,
    eval_duration_ms: 40,
    eval_token_rate: 25,
    output_tokens: 2,
    prompt_tokens: 100,
  },
  sources: {
    ...clientOnly,
    ttft_ms: 'client',
    tpot_ms: 'client',
    itl_ms: 'client',
    icl_ms: 'client',
    tokens_per_chunk: 'client',
    prompt_eval_duration_ms: 'derived',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'client',
    eval_token_rate: 'derived',
  },
});

test('non-streaming with server timings: TTFT ≈ load + queue + prefill and ITL = TPOT = decode/(N−1), derived', check, {
  timing: { streamed: false, tDone: T_SEND + 90 },
  report: { loadDurationMs: 2, queueMs: 3, promptEvalDurationMs: 35, evalDurationMs: 24, outputTokens: 4, raw: {} },
  outputTokens: 4,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 92,
    total_duration_ms: 90,
    queue_ms: 3,
    load_duration_ms: 2,
    prompt_eval_duration_ms: 35,
    prompt_token_rate: 100 / 0.035,
    eval_duration_ms: 24,
    eval_token_rate: 125,
    ttft_ms: 40, // 2 + 3 + 35
    itl_ms: 8, // 24 / 3
    tpot_ms: 8,
    output_tokens: 4,
    prompt_tokens: 100,
  },
  sources: {
    schedule_lag_ms: 'client',
    e2e_from_schedule_ms: 'client',
    total_duration_ms: 'client',
    output_tokens: 'server',
    prompt_tokens: 'client',
    queue_ms: 'server',
    load_duration_ms: 'server',
    prompt_eval_duration_ms: 'server',
    prompt_token_rate: 'derived',
    eval_duration_ms: 'server',
    eval_token_rate: 'derived',
    ttft_ms: 'derived',
    itl_ms: 'derived',
    tpot_ms: 'derived',
  },
});

test('non-streaming without server timings (TGI /generate headers): nothing is invented', check, {
  timing: { streamed: false, tDone: T_SEND + 130 },
  report: { queueMs: 3, serverTotalDurationMs: 125.432, promptTokens: 7, outputTokens: 3, raw: {} },
  outputTokens: 3,
  promptTokens: 7,
  metrics: {
    schedule_lag_ms: 2,
    e2e_from_schedule_ms: 132,
    total_duration_ms: 130,
    queue_ms: 3,
    server_total_duration_ms: 125.432,
    load_duration_ms: 0,
    output_tokens: 3,
    prompt_tokens: 7,
  },
  sources: {
    schedule_lag_ms: 'client',
    e2e_from_schedule_ms: 'client',
    total_duration_ms: 'client',
    output_tokens: 'server',
    prompt_tokens: 'server',
    queue_ms: 'server',
    server_total_duration_ms: 'server',
    load_duration_ms: 'resident',
  },
});

test('gapsOf: zero-token chunks carry no gap; a negative gap (clock step) counts as 0', (t) => {
  t.deepEqual(gapsOf([[50, 1], [55, 0], [60, 1]]), { itlGapsMs: [10], iclGapsMs: [10] });
  t.deepEqual(gapsOf([[50, 1], [49, 1]]), { itlGapsMs: [0], iclGapsMs: [0] });
  t.deepEqual(gapsOf([]), { itlGapsMs: [], iclGapsMs: [] });
  t.deepEqual(gapsOf([[10, 2]]), { itlGapsMs: [0], iclGapsMs: [] });
});

test('pooled ITL gaps of a request sum to its decode span and number N − 1', (t) => {
  const chunks: [number, number][] = [[40, 2], [55, 1], [70, 4], [71, 1], [100, 3]];
  const tokens = chunks.reduce((sum, [, k]) => sum + k, 0);
  const { itlGapsMs } = gapsOf(chunks);
  t.is(itlGapsMs.length, tokens - 1);
  t.true(Math.abs(itlGapsMs.reduce((a, b) => a + b, 0) - (100 - 40)) < 1e-9);
});
