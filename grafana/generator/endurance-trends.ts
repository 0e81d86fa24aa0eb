/**
 * Endurance trends: one scenario's headline numbers across runs (one `llm_run` point per run, written at its
 * end), with the regressions `llmbench schedule` found as annotations (`llm_regression` points, DESIGN §11:
 * tags run_id, scenario, engine, model; fields metric, diff_pct, base_runs). Runs marked invalid are left out
 * unless "Invalid runs" says include: a client-distorted run is no evidence of a change.
 */
import { DATASOURCE, dashboard, table, target, timeseries, unitOverride, type Annotation, type Dashboard } from './dashboard-model.js';
import { fieldIn, filter, FROM_RANGE, pipe, tagInVariable, tagIs } from './flux-snippets.js';
import { bucketVariable, customVariable, datasourceVariable, tagVariable } from './variables.js';

const SELECTION = [tagIs('scenario'), tagInVariable('engine'), tagInVariable('model')];

/** One point per run: an llm_run field, valid runs only unless ${include_invalid}. */
function perRun(field: string): string {
  return pipe(
    FROM_RANGE,
    filter('r._measurement == "llm_run"', ...SELECTION, fieldIn([field, 'valid'])),
    'pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")',
    'filter(fn: (r) => r.valid or ${include_invalid})',
    `map(fn: (r) => ({_time: r._time, _measurement: r._measurement, _field: "${field}", _value: r.${field}, engine: r.engine, model: r.model}))`,
    'group(columns: ["_measurement", "_field", "engine", "model"])',
    'sort(columns: ["_time"])',
  );
}

const RUN_COLUMNS = ['_time', 'run_id', 'engine', 'model', 'status', 'valid', 'ttft_p95_ms', 'itl_p50_ms', 'total_duration_p95_ms', 'output_tps', 'rps', 'error_rate'];

const runsTable = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_run"', ...SELECTION, fieldIn(RUN_COLUMNS.slice(4))),
  'pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")',
  'group()',
  'sort(columns: ["_time"], desc: true)',
  `keep(columns: [${RUN_COLUMNS.map((c) => `"${c}"`).join(', ')}])`,
);

const regressions = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_regression"', ...SELECTION, fieldIn(['metric', 'diff_pct', 'base_runs'])),
  'pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")',
  'group()',
);

const regressionsTable = pipe(regressions, 'sort(columns: ["_time"], desc: true)', 'keep(columns: ["_time", "run_id", "engine", "model", "metric", "diff_pct", "base_runs"])');

/** Grafana maps the first time column to the annotation's time, `text` to its text and `tags` (comma-separated) to its tags. */
const regressionAnnotation: Annotation = {
  name: 'Regressions (llm_regression)',
  datasource: DATASOURCE,
  enable: true,
  hide: false,
  iconColor: 'red',
  target: target(
    [
      'import "math"',
      '',
      pipe(
        regressions,
        'map(fn: (r) => ({_time: r._time, text: r.metric + ": " + string(v: math.round(x: r.diff_pct * 10.0) / 10.0) + "% against the " + string(v: r.base_runs) + " runs before, in run " + r.run_id, tags: r.engine + "," + r.model}))',
      ),
    ].join('\n'),
    'Anno',
  ),
};

const TREND_NOTE = 'One point per run (its llm_run point, at its end), per engine and model.';

export function enduranceTrends(): Dashboard {
  return dashboard({
    uid: 'llmbench-endurance-trends',
    title: 'llmbench / Endurance trends',
    description: 'A scenario\'s headline metrics across runs, with the regressions llmbench schedule found as annotations.',
    time: { from: 'now-30d', to: 'now' },
    variables: [
      datasourceVariable,
      bucketVariable,
      tagVariable({ name: 'scenario', label: 'Scenario', description: 'Runs are grouped by scenario name', measurement: 'llm_run', multi: false }),
      tagVariable({ name: 'engine', label: 'Engine', description: 'One line per engine and model', measurement: 'llm_run', where: ['r.scenario == "${scenario}"'], multi: true }),
      tagVariable({ name: 'model', label: 'Model', description: 'One line per engine and model', measurement: 'llm_run', where: ['r.scenario == "${scenario}"', 'contains(value: r.engine, set: ${engine:json})'], multi: true }),
      customVariable({ name: 'include_invalid', label: 'Invalid runs', description: 'true: also plot runs marked valid = false', values: ['false', 'true'] }),
    ],
    annotations: [regressionAnnotation],
    rows: [
      {
        height: 8,
        panels: [
          timeseries({ title: 'TTFT p95 per run', description: TREND_NOTE, unit: 'ms', min: 0, points: true, queries: [perRun('ttft_p95_ms')] }),
          timeseries({ title: 'ITL p50 per run', description: TREND_NOTE, unit: 'ms', min: 0, points: true, queries: [perRun('itl_p50_ms')] }),
          timeseries({ title: 'End-to-end p95 per run', description: TREND_NOTE, unit: 'ms', min: 0, points: true, queries: [perRun('total_duration_p95_ms')] }),
        ],
      },
      {
        height: 8,
        panels: [
          timeseries({ title: 'Output tokens/s per run', description: TREND_NOTE, unit: 'suffix: tok/s', min: 0, points: true, queries: [perRun('output_tps')] }),
          timeseries({ title: 'Completed requests/s per run', description: TREND_NOTE, unit: 'reqps', min: 0, points: true, queries: [perRun('rps')] }),
          timeseries({ title: 'Error rate per run', description: TREND_NOTE, unit: 'percentunit', min: 0, points: true, queries: [perRun('error_rate')] }),
        ],
      },
      {
        height: 9,
        panels: [
          table({
            title: 'Runs',
            description: 'Newest first, invalid runs included (valid = false: the client distorted the run; its run.json says why).',
            unit: 'ms',
            overrides: [unitOverride('output_tps', 'suffix: tok/s'), unitOverride('rps', 'reqps'), unitOverride('error_rate', 'percentunit')],
            queries: [runsTable],
          }),
          table({
            title: 'Regressions',
            description: 'llm_regression points: the metric, its change against the scenario\'s recent runs (base_runs of them), newest first.',
            unit: 'short',
            overrides: [unitOverride('diff_pct', 'percent')],
            queries: [regressionsTable],
          }),
        ],
      },
    ],
  });
}
