/** `segment:` in a scenario file and `--segment` on the command line, validated by the one schema (DESIGN §16). */
import test from 'ava';
import { ScenarioError } from '../../../pipeline/core/errors.js';
import { compileScenario } from '../../../pipeline/scenario/compile.js';
import { workloadFingerprint } from '../../../pipeline/scenario/fingerprint.js';
import { applyOverrides } from '../../../pipeline/scenario/overrides.js';
import { validateScenario } from '../../../pipeline/scenario/validate.js';
import { assertError, validDocument } from './helpers.js';

const target = { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm' } as const;

test('segment: "2/4" in a file compiles to a plan of segment 2 of 4', (t) => {
  const plan = compileScenario(validateScenario({ ...validDocument(), target, segment: '2/4' }, 'doc.yaml'));
  t.deepEqual(plan.segment, { index: 2, count: 4 });
  t.true(plan.phases.every((phase) => phase.segment?.index === 2 && phase.segment.count === 4));
});

const badFile: Array<[unknown, RegExp]> = [
  ['5/4', /segment: the segment index I must be from 1 to 4/],
  ['2-4', /segment: must be I\/N \(segment I of N, 1-based\), e\.g\. "2\/4"/],
  [2, /segment: must be a string/],
];
for (const [value, message] of badFile) {
  test(`segment: ${JSON.stringify(value)} in a file is refused with its path`, (t) => {
    const error = t.throws(() => validateScenario({ ...validDocument(), segment: value }, 'doc.yaml'));
    assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: ['doc.yaml', message] });
  });
}

test('--segment is validated by the schema and named in the message', (t) => {
  const base = validateScenario({ ...validDocument(), target }, 'doc.yaml');
  t.is(applyOverrides(base, { segment: '3/3' }).segment, '3/3');
  const error = t.throws(() => applyOverrides(base, { segment: '0/4' }));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: ['--segment (segment): the segment index I must be from 1 to 4 (1-based), got 0'] });
});

test('the segments of one run share its workload fingerprint', (t) => {
  const base = validateScenario({ ...validDocument(), target }, 'doc.yaml');
  const hashes = new Set(['1/2', '2/2'].map((segment) => workloadFingerprint(applyOverrides(base, { segment })).hash));
  hashes.add(workloadFingerprint(base).hash);
  t.is(hashes.size, 1);
});
