/**
 * Run comparison: a base and a candidate run side by side. Headline numbers come from each run's `llm_run`
 * point (exact statistics over all its requests, computed by llmbench); the overlays put both runs' 1 s
 * windows on one axis of seconds since each run's first window. This shows the difference; whether it is
 * significant is `llmbench compare BASE CAND` (bootstrap CI and Mann-Whitney U, DESIGN §8).
 */
import { dashboard, table, trend, unitOverride, type Dashboard } from './dashboard-model.js';
import { columnIn, fieldIn, filter, FROM_RANGE, pipe } from './flux-snippets.js';
import { bucketVariable, datasourceVariable, tagVariable } from './variables.js';

const BASE = '${base_run_id}';
const CANDIDATE = '${candidate_run_id}';
const BOTH_RUNS = `(r.run_id == "${BASE}" or r.run_id == "${CANDIDATE}")`;
const ROLE = `role: if r.run_id == "${BASE}" then "base" else "candidate"`;

const LATENCY_FIELDS = [
  'ttft_p50_ms',
  'ttft_p95_ms',
  'ttft_p99_ms',
  'itl_p50_ms',
  'itl_p95_ms',
  'tpot_p50_ms',
  'tpot_p95_ms',
  'total_duration_p50_ms',
  'total_duration_p95_ms',
  'e2e_from_schedule_p95_ms',
];
/** Where a rise is an improvement. */
const HIGHER_IS_BETTER = ['rps', 'output_tps', 'total_tps', 'goodput_rps', 'eval_token_rate_p50', 'prompt_token_rate_p50'];
const DELTA_FIELDS = [...LATENCY_FIELDS, ...HIGHER_IS_BETTER, 'error_rate'];

/** One row per llm_run field: the base's value, the candidate's, and the change (base 0: no row, no division by zero). */
function baseVersusCandidate(fields: readonly string[], columns: string): string {
  return pipe(
    FROM_RANGE,
    filter('r._measurement == "llm_run"', BOTH_RUNS, fieldIn(fields)),
    `map(fn: (r) => ({r with ${ROLE}}))`,
    'group()',
    'keep(columns: ["_field", "role", "_value"])',
    'pivot(rowKey: ["_field"], columnKey: ["role"], valueColumn: "_value")',
    'filter(fn: (r) => exists r.base and exists r.candidate and r.base != 0.0)',
    `map(fn: (r) => ({metric: r._field, base: r.base, candidate: r.candidate, diff_pct: (r.candidate - r.base) / r.base * 100.0, direction: if ${columnIn('_field', HIGHER_IS_BETTER)} then "higher is better" else "lower is better"}))`,
    `keep(columns: [${columns}])`,
  );
}

const RUN_COLUMNS = ['role', 'run_id', 'engine', 'model', 'status', 'valid', 'requests_total', 'rps', 'goodput_rps', 'output_tps', 'total_tps', 'error_rate'];

const runsTable = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_run"', BOTH_RUNS, fieldIn(RUN_COLUMNS.slice(4))),
  'pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")',
  `map(fn: (r) => ({r with ${ROLE}}))`,
  'group()',
  'sort(columns: ["role"])',
  `keep(columns: [${RUN_COLUMNS.map((c) => `"${c}"`).join(', ')}])`,
);

/** Both runs' windows of one llm_window field against seconds since each run's first window, one column per run. */
function overlay(field: string): string {
  const start = (run: string) =>
    pipe(
      '(from(bucket: "${bucket}")',
      'range(start: v.timeRangeStart, stop: v.timeRangeStop)',
      filter('r._measurement == "llm_window"', `r.run_id == "${run}"`, 'r._field == "in_flight"'),
      'group()',
      'sort(columns: ["_time"])',
      'limit(n: 1)',
      'findRecord(fn: (key) => true, idx: 0))._time',
    );
  return [
    `baseStart = ${start(BASE)}`,
    `candidateStart = ${start(CANDIDATE)}`,
    '',
    pipe(
      FROM_RANGE,
      filter('r._measurement == "llm_window"', BOTH_RUNS, `r._field == "${field}"`),
      `map(fn: (r) => ({${ROLE}, elapsed_s: float(v: int(v: r._time) - int(v: if r.run_id == "${BASE}" then baseStart else candidateStart)) / 1000000000.0, _value: r._value}))`,
      'group()',
      'pivot(rowKey: ["elapsed_s"], columnKey: ["role"], valueColumn: "_value")',
      'sort(columns: ["elapsed_s"])',
      'keep(columns: ["elapsed_s", "base", "candidate"])',
    ),
  ].join('\n');
}

const ELAPSED = unitOverride('elapsed_s', 's');
const OVERLAY_NOTE = 'The x axis is seconds since each run\'s first 1 s window, so runs made at different times line up. An error here means a run has no llm_window points in the time range: widen it.';

export function runComparison(): Dashboard {
  return dashboard({
    uid: 'llmbench-run-comparison',
    title: 'llmbench / Run comparison',
    description: 'A base run and a candidate run overlaid, with per-metric deltas from their llm_run points.',
    time: { from: 'now-7d', to: 'now' },
    variables: [
      datasourceVariable,
      bucketVariable,
      tagVariable({ name: 'scenario', label: 'Scenario', description: 'The scenario both runs belong to', measurement: 'llm_run', multi: false }),
      tagVariable({ name: 'engine', label: 'Engine', description: 'Narrows the run lists', measurement: 'llm_run', where: ['r.scenario == "${scenario}"'], multi: true }),
      tagVariable({ name: 'model', label: 'Model', description: 'Narrows the run lists', measurement: 'llm_run', where: ['r.scenario == "${scenario}"', 'contains(value: r.engine, set: ${engine:json})'], multi: true }),
      ...(['base_run_id', 'candidate_run_id'] as const).map((name) =>
        tagVariable({
          name,
          tag: 'run_id',
          label: name === 'base_run_id' ? 'Base run' : 'Candidate run',
          description: 'Finished runs (those with an llm_run point), newest first',
          measurement: 'llm_run',
          where: ['r.scenario == "${scenario}"', 'contains(value: r.engine, set: ${engine:json})', 'contains(value: r.model, set: ${model:json})'],
          multi: false,
          newestFirst: true,
        }),
      ),
    ],
    rows: [
      {
        height: 9,
        panels: [
          table({
            title: 'Candidate vs base: change per metric',
            description: '(candidate − base) / base × 100 for each headline number of the two llm_run points. "direction" says which way is better. Significance is llmbench compare\'s job.',
            unit: 'percent',
            queries: [baseVersusCandidate(DELTA_FIELDS, '"metric", "diff_pct", "direction"')],
          }),
          table({
            title: 'Latency percentiles',
            description: 'Exact percentiles over each run\'s successful requests (warmup excluded), from its llm_run point.',
            unit: 'ms',
            overrides: [unitOverride('diff_pct', 'percent')],
            queries: [baseVersusCandidate(LATENCY_FIELDS, '"metric", "base", "candidate", "diff_pct"')],
          }),
        ],
      },
      {
        height: 6,
        panels: [
          table({
            title: 'Throughput and errors',
            description: 'Each run\'s outcome from its llm_run point. A run marked valid = false was distorted by the client (its run.json says why).',
            unit: 'short',
            overrides: ['rps', 'goodput_rps'].map((c) => unitOverride(c, 'reqps')).concat(
              ['output_tps', 'total_tps'].map((c) => unitOverride(c, 'suffix: tok/s')),
              [unitOverride('error_rate', 'percentunit')],
            ),
            queries: [runsTable],
          }),
        ],
      },
      {
        height: 8,
        panels: [
          trend({ title: 'TTFT p95 per window, overlaid', description: OVERLAY_NOTE, unit: 'ms', min: 0, xField: 'elapsed_s', overrides: [ELAPSED], queries: [overlay('ttft_p95_ms')] }),
          trend({ title: 'ITL p95 per window, overlaid', description: OVERLAY_NOTE, unit: 'ms', min: 0, xField: 'elapsed_s', overrides: [ELAPSED], queries: [overlay('itl_p95_ms')] }),
        ],
      },
      {
        height: 8,
        panels: [
          trend({ title: 'Output tokens/s, overlaid', description: OVERLAY_NOTE, unit: 'suffix: tok/s', min: 0, xField: 'elapsed_s', overrides: [ELAPSED], queries: [overlay('output_tps')] }),
          trend({ title: 'Requests in flight, overlaid', description: OVERLAY_NOTE, unit: 'short', min: 0, xField: 'elapsed_s', overrides: [ELAPSED], queries: [overlay('in_flight')] }),
        ],
      },
    ],
  });
}
