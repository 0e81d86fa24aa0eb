/**
 * Scaling: a run's stages (a sweep's levels, `c=8` or `r=2.5`, or a ramp's stages) in the order they ran,
 * with throughput and latency per level. Throughput per level is the mean of the level's 1 s windows (completed
 * requests and output tokens per second); latency percentiles are over its successful requests. The knee is
 * where added load stops adding throughput: the gain panel shows it level by level. llmbench's own Kneedle knee
 * and its latency factor are in run.json (`analysis.scaling.knee`, `llmbench report`): no point carries them.
 */
import { barchart, dashboard, table, unitOverride, type Dashboard } from './dashboard-model.js';
import { fieldIn, filter, FROM_RANGE, MEASURED_REQUESTS, pipe, tagIs } from './flux-snippets.js';
import { bucketVariable, datasourceVariable, runSelectionVariables } from './variables.js';

const RUN = tagIs('run_id');

/** Means of these llm_window fields per stage (errors: the stage's total). */
const WINDOW_FIELDS = ['rps', 'output_tps', 'in_flight', 'errors'];
/** Percentiles of these llm_request fields per stage, named ttft_p50_ms etc. */
const REQUEST_FIELDS = ['ttft_ms', 'itl_ms', 'total_duration_ms'];

const windowRows = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_window"', RUN, fieldIn(WINDOW_FIELDS)),
  'group(columns: ["stage", "_field"])',
  'reduce(identity: {n: 0.0, sum: 0.0}, fn: (r, accumulator) => ({n: accumulator.n + 1.0, sum: accumulator.sum + r._value}))',
  'map(fn: (r) => ({stage: r.stage, name: r._field, _value: if r._field == "errors" then r.sum else r.sum / r.n}))',
);

/** When each stage began (its first window), to keep the levels in the order they ran. */
const startRows = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_window"', RUN, 'r._field == "in_flight"'),
  'group(columns: ["stage"])',
  'first()',
  'map(fn: (r) => ({stage: r.stage, name: "start_ms", _value: float(v: int(v: r._time)) / 1000000.0}))',
);

const requestCountRows = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_request"', RUN, ...MEASURED_REQUESTS, 'r._field == "request_id"'),
  'group(columns: ["stage"])',
  'count()',
  'map(fn: (r) => ({stage: r.stage, name: "requests_ok", _value: float(v: r._value)}))',
);

const requests = pipe(FROM_RANGE, filter('r._measurement == "llm_request"', RUN, ...MEASURED_REQUESTS, fieldIn(REQUEST_FIELDS)), 'group(columns: ["stage", "_field"])');

const percentileRows = (q: number, stat: string) =>
  pipe(
    'requests',
    `quantile(q: ${q}, method: "exact_mean")`,
    `map(fn: (r) => ({stage: r.stage, name: strings.trimSuffix(v: r._field, suffix: "_ms") + "_${stat}_ms", _value: r._value}))`,
  );

/** One row per stage, oldest first, with the stage and the named columns. */
function levels(columns: readonly string[], after: readonly string[] = []): string {
  return [
    'import "strings"',
    '',
    `windows = ${windowRows}`,
    `starts = ${startRows}`,
    `counts = ${requestCountRows}`,
    `requests = ${requests}`,
    `p50 = ${percentileRows(0.5, 'p50')}`,
    `p95 = ${percentileRows(0.95, 'p95')}`,
    '',
    pipe(
      'union(tables: [windows, starts, counts, p50, p95])',
      'group()',
      'pivot(rowKey: ["stage"], columnKey: ["name"], valueColumn: "_value")',
      'sort(columns: ["start_ms"])',
      `keep(columns: [${['stage', ...columns].map((c) => `"${c}"`).join(', ')}])`,
      ...after,
    ),
  ].join('\n');
}

const TABLE_COLUMNS = ['start_ms', 'requests_ok', 'rps', 'output_tps', 'in_flight', 'ttft_p50_ms', 'ttft_p95_ms', 'itl_p50_ms', 'itl_p95_ms', 'total_duration_p50_ms', 'total_duration_p95_ms', 'errors'];

/** Output tokens/s gained over the previous level, in % of it (the first level has no previous one). */
const gain = levels(['output_tps'], [
  'duplicate(column: "output_tps", as: "step")',
  'difference(columns: ["step"])',
  'map(fn: (r) => ({stage: r.stage, gain_pct: if r.output_tps - r.step > 0.0 then r.step / (r.output_tps - r.step) * 100.0 else 0.0}))',
]);

const LEVEL_NOTE = 'Levels in the order they ran. Throughput is the mean of the level\'s 1 s windows.';

export function scaling(): Dashboard {
  return dashboard({
    uid: 'llmbench-scaling',
    title: 'llmbench / Scaling',
    description: 'Throughput and latency per stage or sweep level, and where added load stops adding throughput (the knee).',
    time: { from: 'now-24h', to: 'now' },
    variables: [datasourceVariable, bucketVariable, ...runSelectionVariables(false)],
    rows: [
      {
        height: 9,
        panels: [
          table({
            title: 'Per level',
            description: `${LEVEL_NOTE} Latency percentiles are over the level's successful requests (Flux "exact_mean" quantiles: close to, not always equal to, the report's linear interpolation).`,
            unit: 'ms',
            overrides: [
              unitOverride('start_ms', 'dateTimeAsIso'),
              unitOverride('requests_ok', 'short'),
              unitOverride('rps', 'reqps'),
              unitOverride('output_tps', 'suffix: tok/s'),
              unitOverride('in_flight', 'short'),
              unitOverride('errors', 'short'),
            ],
            queries: [levels(TABLE_COLUMNS)],
          }),
        ],
      },
      {
        height: 8,
        panels: [
          barchart({ title: 'Output tokens/s per level', description: LEVEL_NOTE, unit: 'suffix: tok/s', min: 0, xField: 'stage', queries: [levels(['output_tps'])] }),
          barchart({ title: 'Completed requests/s per level', description: LEVEL_NOTE, unit: 'reqps', min: 0, xField: 'stage', queries: [levels(['rps'])] }),
          barchart({
            title: 'Throughput gain over the previous level',
            description: 'Output tokens/s gained by each level over the one before it, in %. Past the knee the gain falls towards 0 while latency (below) keeps growing. llmbench\'s Kneedle knee is in run.json analysis.scaling.knee.',
            unit: 'percent',
            xField: 'stage',
            queries: [gain],
          }),
        ],
      },
      {
        height: 8,
        panels: [
          barchart({ title: 'TTFT p50 / p95 per level', description: LEVEL_NOTE, unit: 'ms', min: 0, xField: 'stage', queries: [levels(['ttft_p50_ms', 'ttft_p95_ms'])] }),
          barchart({ title: 'End-to-end p50 / p95 per level', description: LEVEL_NOTE, unit: 'ms', min: 0, xField: 'stage', queries: [levels(['total_duration_p50_ms', 'total_duration_p95_ms'])] }),
          barchart({ title: 'Requests in flight per level', description: `${LEVEL_NOTE} In-flight is the level's mean.`, unit: 'short', min: 0, xField: 'stage', queries: [levels(['in_flight'])] }),
        ],
      },
    ],
  });
}
