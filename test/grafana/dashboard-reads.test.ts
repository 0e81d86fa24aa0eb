/**
 * Every dashboard query reads only what llmbench writes: the measurements, fields, tags and fixed tag values that
 * the real point-making code produces (helpers/written-schema.ts runs it), checked on the parsed Flux of each
 * query after Grafana has rendered its variables.
 */
import test from 'ava';
import { loadFluxChecker } from '../helpers/flux-checker.js';
import { storedReads, type StoredRead } from './helpers/flux-reads.js';
import { committedDashboards, dashboardQueries, renderVariables } from './helpers/grafana-queries.js';
import { variableRenderings } from './helpers/sample-variables.js';
import { writtenSchema, type WrittenSchema } from './helpers/written-schema.js';

/** Columns every stored row has. */
const SYSTEM_COLUMNS = new Set(['_measurement', '_field', '_value', '_time', '_start', '_stop']);

/** What is wrong with one read, or [] when it reads only what is written. */
function problems(read: StoredRead, schema: WrittenSchema): string[] {
  const found: string[] = [];
  const measurements = [...read.measurements];
  if (measurements.length === 0) return ['reads without naming a measurement (r._measurement == "…")'];
  const known = measurements.filter((m) => schema.has(m));
  for (const m of measurements) if (!schema.has(m)) found.push(`measurement ${m} is not written`);
  if (known.length === 0) return found;
  const ofAny = (pick: (m: string) => ReadonlySet<string>, name: string) => known.some((m) => pick(m).has(name));
  const tags = (m: string) => schema.get(m)!.tags;
  const fields = (m: string) => schema.get(m)!.fields;

  if (read.kind === 'from') {
    if (read.fields.size === 0) found.push(`reads every field of ${measurements.join(', ')}: name the fields (r._field == "…")`);
    for (const field of read.fields) if (!ofAny(fields, field)) found.push(`field ${field} is not written to ${measurements.join(' or ')}`);
  } else {
    if (read.tag === undefined) found.push('tagValues without a literal tag');
    else for (const m of known) if (!tags(m).has(read.tag)) found.push(`tag ${read.tag} is not a tag of ${m}`);
  }
  for (const column of read.columns) {
    if (!SYSTEM_COLUMNS.has(column) && !ofAny(tags, column) && !ofAny(fields, column)) found.push(`column ${column} is neither a tag nor a field of ${measurements.join(' or ')}`);
  }
  for (const { column, values } of read.comparisons) {
    for (const m of known) {
      const allowed = schema.get(m)!.closedTagValues.get(column);
      if (!allowed) continue;
      for (const value of values) if (!allowed.has(value)) found.push(`${m}.${column} is never "${value}" (it is one of ${[...allowed].join(', ')})`);
    }
  }
  return found;
}

const dashboards = committedDashboards();

test('the schema is learnt from the code: every measurement of DESIGN §6 with its fields', async (t) => {
  const schema = await writtenSchema();
  for (const measurement of ['llm_request', 'llm_token', 'llm_window', 'llm_run', 'gpu', 'host', 'host_cpu', 'process', 'engine_metric']) {
    t.true(schema.has(measurement), measurement);
  }
  t.true(schema.get('llm_request')!.fields.has('ttft_ms'));
  t.true(schema.get('llm_request')!.tags.has('status'));
  t.false(schema.get('llm_request')!.fields.has('status'), 'status is a tag of llm_request');
  t.true(schema.get('llm_run')!.fields.has('ttft_p95_ms'));
  t.true(schema.get('llm_window')!.fields.has('schedule_lag_p95_ms'));
  t.true(schema.get('gpu')!.fields.has('util_pct'));
  t.true(schema.get('engine_metric')!.tags.has('metric'));
  t.deepEqual([...schema.get('llm_request')!.closedTagValues.get('status')!].sort(), ['dropped', 'error', 'ok']);
  t.deepEqual([...schema.get('process')!.closedTagValues.get('role')!].sort(), ['client', 'engine']);
});

for (const file of dashboards) {
  test(`${file.file}: every query reads only measurements, fields and tags llmbench writes`, async (t) => {
    const [schema, checker] = await Promise.all([writtenSchema(), loadFluxChecker()]);
    let reads = 0;
    for (const values of variableRenderings(file.json)) {
      for (const { where, query } of dashboardQueries(file)) {
        const rendered = renderVariables(query, values);
        for (const read of storedReads(checker.ast(rendered))) {
          reads++;
          t.deepEqual(problems(read, schema), [], `${where}\n${rendered}`);
        }
      }
    }
    t.true(reads > 0);
  });
}

test('every data query of every dashboard reads something (a query the analysis cannot see would pass unchecked)', async (t) => {
  const checker = await loadFluxChecker();
  for (const file of dashboards) {
    const values = variableRenderings(file.json)[0]!;
    for (const { where, query } of dashboardQueries(file)) {
      if (query.startsWith('buckets()')) continue; // the bucket list reads no measurement
      t.true(storedReads(checker.ast(renderVariables(query, values))).length > 0, where);
    }
  }
});

// The analysis and the rules catch what they exist for.

const check = async (flux: string) => {
  const [schema, checker] = await Promise.all([writtenSchema(), loadFluxChecker()]);
  return storedReads(checker.ast(flux)).flatMap((read) => problems(read, schema));
};
const FROM = 'from(bucket: "b") |> range(start: -1h)';

test('a field that is not written is caught, also through a variable and inside union()', async (t) => {
  t.deepEqual(await check(`${FROM} |> filter(fn: (r) => r._measurement == "llm_window" and r._field == "ttft_p99_ms")`), ['field ttft_p99_ms is not written to llm_window']);
  const viaVariable = `data = ${FROM} |> filter(fn: (r) => r._measurement == "llm_run")\nunion(tables: [data |> filter(fn: (r) => r._field == "rps"), data |> filter(fn: (r) => r._field == "ttft_p42_ms")])`;
  t.deepEqual(await check(viaVariable), ['field ttft_p42_ms is not written to llm_run']);
});

test('an unknown measurement, an unnamed field set and a misspelt tag are caught', async (t) => {
  t.deepEqual(await check(`${FROM} |> filter(fn: (r) => r._measurement == "llm_requests" and r._field == "ttft_ms")`), ['measurement llm_requests is not written']);
  t.deepEqual(await check(`${FROM} |> filter(fn: (r) => r._measurement == "gpu")`), ['reads every field of gpu: name the fields (r._field == "…")']);
  t.deepEqual(await check(`${FROM} |> filter(fn: (r) => r._measurement == "llm_window" and r.scenario == "quick" and r._field == "rps")`), [
    'column scenario is neither a tag nor a field of llm_window',
  ]);
  t.deepEqual(await check(`${FROM} |> filter(fn: (r) => r._field == "rps")`), ['reads without naming a measurement (r._measurement == "…")']);
});

test('a tag value that is never written is caught (status, engine metric names)', async (t) => {
  t.deepEqual(await check(`${FROM} |> filter(fn: (r) => r._measurement == "llm_request" and r.status == "failed" and r._field == "ttft_ms")`), [
    'llm_request.status is never "failed" (it is one of ok, error, dropped)',
  ]);
  const problems = await check(`${FROM} |> filter(fn: (r) => r._measurement == "engine_metric" and contains(value: r.metric, set: ["vllm:kv_cache_usage_perc", "vllm:kv_cache_usage"]) and r._field == "value")`);
  t.is(problems.length, 1);
  t.regex(problems[0]!, /engine_metric\.metric is never "vllm:kv_cache_usage"/);
});

test('a tagValues variable listing a tag the measurement does not have is caught', async (t) => {
  const flux = 'import "influxdata/influxdb/schema"\nschema.tagValues(bucket: "b", tag: "scenario", predicate: (r) => r._measurement == "llm_window")';
  t.deepEqual(await check(flux), ['tag scenario is not a tag of llm_window']);
});

test('filters after a pivot read the query\'s own columns and are not held to the stored schema', async (t) => {
  const flux = `${FROM} |> filter(fn: (r) => r._measurement == "llm_run" and (r._field == "valid" or r._field == "rps")) |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value") |> filter(fn: (r) => r.valid and r.made_up > 0.0)`;
  t.deepEqual(await check(flux), []);
});
