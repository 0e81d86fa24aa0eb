/**
 * The committed dashboards are what the generator writes, and follow DESIGN §10's rules: Grafana's current
 * schemaVersion, a unit on every panel (a unit Grafana knows), the datasource always the `${datasource}`
 * variable, every variable a query uses defined (before it, for chained variables), multi-value variables
 * rendered as JSON arrays.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dashboardJson, DASHBOARDS } from '../../grafana/generator/dashboards.js';
import { allPanels, committedDashboards, dashboardQueries, variableReferences, type DashboardFile } from './helpers/grafana-queries.js';

const dashboards = committedDashboards();

/**
 * Grafana's latest classic schema version: LATEST_VERSION in apps/dashboard/pkg/migration/schemaversion/migrations.go,
 * "the final version for the v1 dashboard API" (its README); Grafana 13 exports 42.
 */
const CURRENT_SCHEMA_VERSION = 42;

const UNIT_IDS = new Set(JSON.parse(readFileSync(new URL('../fixtures/grafana/value-format-ids.json', import.meta.url), 'utf8')) as string[]);
const CUSTOM_UNIT = /^(suffix|prefix|si|count|currency|time):./;
const isGrafanaUnit = (unit: unknown) => typeof unit === 'string' && (UNIT_IDS.has(unit) || CUSTOM_UNIT.test(unit));

const DATASOURCE_VARIABLE = { type: 'influxdb', uid: '${datasource}' };

test('the committed JSON is exactly what the generator writes, one file per dashboard', (t) => {
  t.deepEqual(
    dashboards.map((d) => d.file),
    DASHBOARDS.map((d) => d.file).sort(),
  );
  for (const { file, build } of DASHBOARDS) {
    const committed = dashboards.find((d) => d.file === file)!;
    t.is(committed.text, dashboardJson(build()), `grafana/dashboards/${file} is stale: run npx tsx grafana/generator/build-dashboards.ts`);
  }
});

test('uids are unique, stable and [a-z0-9-]; titles are unique', (t) => {
  const uids = dashboards.map((d) => d.json.uid);
  t.is(new Set(uids).size, uids.length);
  for (const uid of uids) t.regex(uid, /^llmbench-[a-z0-9-]+$/);
  t.is(new Set(dashboards.map((d) => d.json.title)).size, dashboards.length);
});

for (const file of dashboards) {
  const panels = allPanels(file.json);

  test(`${file.file}: schemaVersion is Grafana's current one`, (t) => {
    t.is(file.json.schemaVersion, CURRENT_SCHEMA_VERSION);
  });

  test(`${file.file}: every panel has a unit Grafana knows, and so has every unit override`, (t) => {
    t.true(panels.length > 0);
    for (const panel of panels) {
      if (panel.type === 'row') continue;
      const unit = panel.fieldConfig?.defaults?.unit;
      t.true(isGrafanaUnit(unit), `panel ${panel.id} "${panel.title}": unit ${JSON.stringify(unit)}`);
      for (const override of panel.fieldConfig?.overrides ?? []) {
        for (const property of override.properties) {
          if (property.id === 'unit') t.true(isGrafanaUnit(property.value), `panel ${panel.id} override unit ${JSON.stringify(property.value)}`);
        }
      }
    }
  });

  test(`${file.file}: the datasource is always the \${datasource} variable, never a uid`, (t) => {
    const variables = file.json.templating.list;
    const datasource = variables.find((v) => v.type === 'datasource');
    t.is(datasource?.name, 'datasource');
    t.is(datasource?.query, 'influxdb');
    for (const panel of panels) {
      if (panel.type === 'row') continue;
      t.deepEqual(panel.datasource, DATASOURCE_VARIABLE, `panel ${panel.id}`);
      t.true((panel.targets ?? []).length > 0, `panel ${panel.id} has no query`);
      for (const target of panel.targets ?? []) t.deepEqual(target.datasource, DATASOURCE_VARIABLE, `panel ${panel.id} ${target.refId}`);
    }
    for (const variable of variables) if (variable.type === 'query') t.deepEqual(variable.datasource, DATASOURCE_VARIABLE, variable.name);
    for (const annotation of file.json.annotations.list) {
      if (annotation.builtIn) continue;
      t.deepEqual(annotation.datasource, DATASOURCE_VARIABLE, annotation.name);
      t.deepEqual(annotation.target?.datasource, DATASOURCE_VARIABLE, annotation.name);
    }
    // No other datasource uid anywhere in the file: only the dashboard's own and Grafana's built-in annotations.
    const uids = [...file.text.matchAll(/"uid": "([^"]*)"/g)].map((m) => m[1]);
    t.deepEqual([...new Set(uids)].sort(), ['${datasource}', '-- Grafana --', file.json.uid].sort());
  });

  test(`${file.file}: every variable a query uses is defined (a variable's own query only uses those before it), and every variable is used`, (t) => {
    const variables = file.json.templating.list;
    const names = variables.map((v) => v.name);
    t.is(new Set(names).size, names.length, 'duplicate variable names');
    const used = new Set<string>();
    for (const { where, query } of dashboardQueries(file)) {
      for (const { name } of variableReferences(query)) {
        if (name.startsWith('__')) continue;
        used.add(name);
        t.true(names.includes(name), `${where} uses $${name}, which is not defined`);
      }
    }
    variables.forEach((variable, index) => {
      if (variable.type !== 'query') return;
      for (const { name } of variableReferences(String(variable.query))) {
        t.true(names.indexOf(name) < index, `variable ${variable.name} uses $${name}, defined after it`);
      }
    });
    for (const name of names) if (name !== 'datasource') t.true(used.has(name), `variable ${name} is not used by any query`);
  });

  test(`${file.file}: multi-value variables are used only as \${name:json} (a JSON array: a Flux array literal)`, (t) => {
    const multi = new Set(file.json.templating.list.filter((v) => v.multi).map((v) => v.name));
    for (const { where, query } of dashboardQueries(file)) {
      for (const { name, format } of variableReferences(query)) {
        if (multi.has(name)) t.is(format, 'json', `${where}: $${name} is multi-value`);
        else t.not(format, 'json', `${where}: $${name} is single-value; use "\${${name}}"`);
      }
    }
  });

  test(`${file.file}: panels sit on the 24-column grid without overlapping, with unique ids`, (t) => {
    const placed = panels.filter((p) => p.type !== 'row') as Array<(typeof panels)[number] & { gridPos: { x: number; y: number; w: number; h: number } }>;
    t.is(new Set(placed.map((p) => p.id)).size, placed.length);
    for (const p of placed) t.true(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `panel ${p.id}`);
    for (const a of placed) {
      for (const b of placed) {
        if (a === b) continue;
        const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        t.false(overlap, `panels ${a.id} and ${b.id} overlap`);
      }
    }
  });
}

test('the live run dashboard shows what DESIGN §10 lists, and the trends dashboard annotates regressions', (t) => {
  const byFile = (name: string): DashboardFile => dashboards.find((d) => d.file === name)!;
  const queries = (name: string) => dashboardQueries(byFile(name)).map((q) => q.query).join('\n');
  const live = queries('live-run.json');
  for (const field of ['"rps"', '"output_tps"', '"in_flight"', '"ttft_p50_ms"', '"ttft_p95_ms"', '"itl_p50_ms"', '"itl_p95_ms"', '"error_kind"', '"schedule_lag_p95_ms"']) t.true(live.includes(field), field);
  const annotations = byFile('endurance-trends.json').json.annotations.list.filter((a) => !a.builtIn);
  t.is(annotations.length, 1);
  t.regex(annotations[0]!.target?.query ?? '', /r\._measurement == "llm_regression"/);
  const resources = queries('resources-vs-performance.json');
  for (const part of ['"gpu"', '"util_pct"', '"mem_used_mib"', '"power_w"', '"temp_c"', '"host"', '"vllm:kv_cache_usage_perc"', '"vllm:num_requests_waiting"', '"ttft_p95_ms"', '"output_tps"']) t.true(resources.includes(part), part);
});

test('a unit Grafana does not know is caught', (t) => {
  t.false(isGrafanaUnit('milliseconds'));
  t.false(isGrafanaUnit(''));
  t.false(isGrafanaUnit(undefined));
  t.true(isGrafanaUnit('ms'));
  t.true(isGrafanaUnit('suffix: tok/s'));
});
