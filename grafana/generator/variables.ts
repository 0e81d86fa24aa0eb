/**
 * The template variables: the datasource (a variable, so no dashboard names a datasource uid), the bucket,
 * and tag filters (scenario, engine, model, run ids) listed from the points in the dashboard's time range, each
 * narrowed by the ones before it.
 */
import { DATASOURCE, type CustomVariable, type DatasourceVariable, type QueryVariable } from './dashboard-model.js';

export const datasourceVariable: DatasourceVariable = {
  type: 'datasource',
  name: 'datasource',
  label: 'InfluxDB',
  query: 'influxdb',
  current: {},
  hide: 0,
  refresh: 1,
  regex: '',
  options: [],
};

/** InfluxDB's own system buckets (_monitoring, _tasks) are left out. */
export const bucketVariable: QueryVariable = queryVariable({
  name: 'bucket',
  label: 'Bucket',
  description: 'The InfluxDB bucket llmbench writes to (INFLUX_BUCKET)',
  query: 'buckets()\n    |> filter(fn: (r) => r.name !~ /^_/)\n    |> keep(columns: ["name"])',
  multi: false,
});

interface TagVariableSpec {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** The tag listed (defaults to the name). */
  readonly tag?: string;
  readonly measurement: string;
  /** Flux conditions on `r` narrowing the list (earlier variables). */
  readonly where?: readonly string[];
  readonly multi: boolean;
  readonly newestFirst?: boolean;
}

/** The values of one tag among the points of `measurement` in the time range. */
export function tagVariable(spec: TagVariableSpec): QueryVariable {
  const predicate = [`r._measurement == "${spec.measurement}"`, ...(spec.where ?? [])].join(' and ');
  const query = [
    'import "influxdata/influxdb/schema"',
    '',
    'schema.tagValues(',
    '    bucket: "${bucket}",',
    `    tag: "${spec.tag ?? spec.name}",`,
    `    predicate: (r) => ${predicate},`,
    '    start: v.timeRangeStart,',
    '    stop: v.timeRangeStop,',
    ')',
  ].join('\n');
  return queryVariable({ name: spec.name, label: spec.label, description: spec.description, query, multi: spec.multi, newestFirst: spec.newestFirst ?? false });
}

function queryVariable(spec: { name: string; label: string; description: string; query: string; multi: boolean; newestFirst?: boolean }): QueryVariable {
  return {
    type: 'query',
    name: spec.name,
    label: spec.label,
    description: spec.description,
    datasource: DATASOURCE,
    query: spec.query,
    definition: spec.query,
    refresh: 2,
    sort: spec.newestFirst ? 2 : 1,
    multi: spec.multi,
    includeAll: spec.multi,
    current: {},
    hide: 0,
    regex: '',
    options: [],
  };
}

/** A fixed list of values; the first is the default. */
export function customVariable(spec: { name: string; label: string; description: string; values: readonly string[] }): CustomVariable {
  const first = spec.values[0];
  if (first === undefined) throw new Error(`custom variable ${spec.name} has no values`);
  return {
    type: 'custom',
    name: spec.name,
    label: spec.label,
    description: spec.description,
    query: spec.values.join(','),
    multi: false,
    includeAll: false,
    current: { text: first, value: first, selected: true },
    options: spec.values.map((value, i) => ({ text: value, value, selected: i === 0 })),
    hide: 0,
  };
}

/** scenario → engine → model → run id, as the run-scoped dashboards use them (from `llm_request` points, which carry all four tags). */
export function runSelectionVariables(runMulti: boolean): QueryVariable[] {
  return [
    tagVariable({ name: 'scenario', label: 'Scenario', description: 'The scenario name runs were tagged with', measurement: 'llm_request', multi: false }),
    tagVariable({ name: 'engine', label: 'Engine', description: 'Narrows the run list', measurement: 'llm_request', where: ['r.scenario == "${scenario}"'], multi: true }),
    tagVariable({
      name: 'model',
      label: 'Model',
      description: 'Narrows the run list',
      measurement: 'llm_request',
      where: ['r.scenario == "${scenario}"', 'contains(value: r.engine, set: ${engine:json})'],
      multi: true,
    }),
    tagVariable({
      name: 'run_id',
      label: runMulti ? 'Runs' : 'Run',
      description: 'Run ids sort by start time: the newest is first',
      measurement: 'llm_request',
      where: ['r.scenario == "${scenario}"', 'contains(value: r.engine, set: ${engine:json})', 'contains(value: r.model, set: ${model:json})'],
      multi: runMulti,
      newestFirst: true,
    }),
  ];
}
