/**
 * Every Flux query of every dashboard (panels, template variables, annotations) passes InfluxData's Flux
 * parser and type checker after Grafana has rendered the template variables into it, in two forms:
 * - with Grafana's `v` record bound by a prelude (DESIGN §13);
 * - as Grafana's InfluxDB backend really sends it, `v.timeRangeStart` & co. rewritten into literals
 *   (macros.go), with nothing bound: this also catches a property that the rewrite would mangle.
 */
import test from 'ava';
import { loadFluxChecker } from '../helpers/flux-checker.js';
import { applyGrafanaFluxMacros, committedDashboards, dashboardQueries, renderVariables, withVPrelude, type TimeRange } from './helpers/grafana-queries.js';
import { variableRenderings } from './helpers/sample-variables.js';

const V_PRELUDE = 'v = {timeRangeStart: 2026-01-01T00:00:00Z, timeRangeStop: 2026-01-02T00:00:00Z, windowPeriod: 10s, defaultBucket: "llmbench", organization: "llmbench"}';

/** What Grafana's backend substitutes; "1m0s" is how Go prints a minute, and Flux must read it. */
const RANGE: TimeRange = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z'), interval: '1m0s', intervalMs: 60_000, bucket: 'llmbench', organization: 'llmbench' };

const dashboards = committedDashboards();

test('there are the five dashboards of DESIGN §10, and each has Flux queries', (t) => {
  t.is(dashboards.length, 5);
  for (const file of dashboards) t.true(dashboardQueries(file).length > 3, file.file);
});

for (const file of dashboards) {
  test(`${file.file}: every query type-checks with the v prelude, every variable rendering`, async (t) => {
    const checker = await loadFluxChecker();
    let checked = 0;
    for (const values of variableRenderings(file.json)) {
      for (const { where, query } of dashboardQueries(file)) {
        const rendered = renderVariables(query, values);
        t.false(/\$\{|\[\[/.test(rendered), `${where}: a variable is left unrendered`);
        const source = withVPrelude(rendered, V_PRELUDE);
        t.deepEqual(checker.parseErrors(source), [], `${where}\n${source}`);
        t.true(checker.isValid(source), `${where} does not type-check:\n${source}`);
        checked++;
      }
    }
    t.true(checked > 0);
  });

  test(`${file.file}: every query type-checks as Grafana's backend sends it (v.* rewritten, nothing bound)`, async (t) => {
    const checker = await loadFluxChecker();
    for (const values of variableRenderings(file.json)) {
      for (const { where, query } of dashboardQueries(file)) {
        const sent = applyGrafanaFluxMacros(renderVariables(query, values), RANGE);
        t.false(/\bv\.\w+/.test(sent), `${where}: a v.* reference the backend does not rewrite`);
        t.true(checker.isValid(sent), `${where} does not type-check once rewritten:\n${sent}`);
      }
    }
  });

  test(`${file.file}: the queries do not type-check without Grafana's v record`, async (t) => {
    const checker = await loadFluxChecker();
    const [values] = variableRenderings(file.json);
    const usesV = dashboardQueries(file).filter(({ query }) => query.includes('v.timeRange'));
    t.true(usesV.length > 0);
    for (const { where, query } of usesV) t.false(checker.isValid(renderVariables(query, values!)), `${where} type-checks with v unbound`);
  });
}

// The checks above can fail: the mistakes they exist for, made on purpose.

const anyQuery = () => {
  const file = dashboards.find((d) => d.file === 'resources-vs-performance.json')!;
  const query = dashboardQueries(file).find((q) => q.query.includes('${run_id:json}'))!;
  return { file, query: query.query, values: variableRenderings(file.json)[0]! };
};

test('a multi-value variable used without :json (Grafana renders a glob {a,b}) fails the check', async (t) => {
  const checker = await loadFluxChecker();
  const { query, values } = anyQuery();
  const broken = renderVariables(query.replace('${run_id:json}', '"${run_id}"'), values);
  t.regex(broken, /set: "\{20261127-193012-a1b2,20261128-020000-0c3d\}"/);
  t.false(checker.isValid(withVPrelude(broken, V_PRELUDE)));
});

test('a misspelt v property fails the check', async (t) => {
  const checker = await loadFluxChecker();
  const { query, values } = anyQuery();
  t.false(checker.isValid(withVPrelude(renderVariables(query.replace('v.windowPeriod', 'v.windowPeriodd'), values), V_PRELUDE)));
});

test('a record property named bucket is mangled by Grafana\'s rewrite, and the rewritten query fails', async (t) => {
  const checker = await loadFluxChecker();
  const query = 'params = {bucket: "llmbench"}\nfrom(bucket: params.bucket) |> range(start: v.timeRangeStart)';
  t.true(checker.isValid(withVPrelude(query, V_PRELUDE)));
  const sent = applyGrafanaFluxMacros(query, RANGE);
  t.is(sent, 'params = {bucket: "llmbench"}\nfrom(bucket: "llmbench") |> range(start: 2026-01-01T00:00:00.000Z)');
  const counter = 'q = {organization: 1}\ny = q.organization + 1';
  t.true(checker.isValid(counter));
  t.false(checker.isValid(applyGrafanaFluxMacros(counter, RANGE)), 'q.organization became a string');
});

test('the v prelude goes after the imports (Flux wants imports first)', (t) => {
  t.is(withVPrelude('import "strings"\nimport "math"\nx = 1', 'v = {}'), 'import "strings"\nimport "math"\nv = {}\nx = 1');
  t.is(withVPrelude('x = 1', 'v = {}'), 'v = {}\nx = 1');
});

test('variables render as Grafana renders them: raw, a glob for several values, JSON with :json', (t) => {
  const values = { a: 'x', m: ['p', 'q'], one: ['p'] };
  t.is(renderVariables('"${a}" $a ${m} ${one} ${m:json} ${one:json} ${a:json} $__interval', values), '"x" x {p,q} p ["p","q"] ["p"] "x" $__interval');
  t.throws(() => renderVariables('${nope}', values), { message: /no value for variable nope/ });
  t.throws(() => renderVariables('${m:csv}', values), { message: /format :csv/ });
});
