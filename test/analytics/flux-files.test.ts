/** Every query in analytics/flux/ passes InfluxData's Flux parser and semantic checker. */
import test from 'ava';
import { buildFluxQuery, fluxParams, FLUX_QUERIES, listFluxFiles, readFluxFile, type FluxQueryName } from '../../analytics/flux-queries.js';
import { loadFluxChecker } from '../helpers/flux-checker.js';

/** A value for every parameter any query uses, of the type the code passes. */
const SAMPLE_PARAMS = {
  bucket: 'llm',
  run_id: 'run-1',
  base_run_id: 'run-1',
  candidate_run_id: 'run-2',
  scenario: 'quick',
  field: 'ttft_ms',
  start: new Date('2026-01-01T00:00:00Z'),
  stop: new Date('2026-12-31T00:00:00Z'),
};

test('there are at least the four queries the design asks for, and the code knows every file', (t) => {
  const files = listFluxFiles();
  t.true(files.length >= 4);
  t.deepEqual([...files].sort(), [...FLUX_QUERIES].sort());
});

for (const name of FLUX_QUERIES) {
  test(`${name}.flux type-checks with its params prelude`, async (t) => {
    const checker = await loadFluxChecker();
    const source = buildFluxQuery(name as FluxQueryName, SAMPLE_PARAMS).toString();
    t.deepEqual(checker.parseErrors(source), []);
    t.true(checker.isValid(source), source);
  });

  test(`${name}.flux documents its params and does not type-check without them`, async (t) => {
    const checker = await loadFluxChecker();
    const text = readFluxFile(name);
    t.regex(text, /^\/\/ params: /m);
    t.false(checker.isValid(text), 'params.* must come from the prelude');
  });
}

const rejected = test.macro(async (t, source: string) => {
  const checker = await loadFluxChecker();
  t.false(checker.isValid(source));
});
test('the checker rejects a syntax error', rejected, 'from(bucket: "b" |> range(start: -1h)');
test('the checker rejects an unknown function', rejected, 'from(bucket: "b") |> rangee(start: -1h)');
test('the checker rejects a wrong argument name', rejected, 'from(bucket: "b") |> range(begin: -1h)');
test('the checker rejects a type error', rejected, 'from(bucket: 42) |> range(start: -1h)');
test('the checker rejects an unknown package', rejected, 'import "nosuch/pkg"\nfrom(bucket: "b") |> range(start: -1h)');

test('the checker reports where a syntax error is', async (t) => {
  const checker = await loadFluxChecker();
  t.deepEqual(checker.parseErrors('from(bucket: "b" |> range(start: -1h)'), ['1:1: expected RPAREN, got EOF']);
});

test('parameter values are escaped by the client: an injection attempt stays one string literal', async (t) => {
  const checker = await loadFluxChecker();
  const hostile = 'x") |> drop(columns: ["_value"]) |> yield(name: "pwned';
  const prelude = fluxParams({ run_id: hostile, bucket: 'b\\"\n' });
  t.is(prelude, 'params = {run_id: "x\\") |> drop(columns: [\\"_value\\"]) |> yield(name: \\"pwned", bucket: "b\\\\\\"\\n"}\n');
  t.true(checker.isValid(buildFluxQuery('run-requests', { ...SAMPLE_PARAMS, run_id: hostile }).toString()));
});

test('numbers become Flux floats and a bad parameter name is refused', (t) => {
  t.is(fluxParams({ q: 1, r: 0.95 }), 'params = {q: 1.0, r: 0.95}\n');
  t.throws(() => fluxParams({ 'a b': 1 }), { message: /is not an identifier/ });
});
