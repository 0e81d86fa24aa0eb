import test from 'ava';
import { UsageError } from '../../../pipeline/core/errors.js';
import { parseStagesFlag } from '../../../pipeline/scenario/stages-flag.js';
import { assertError } from './helpers.js';

const users = { flag: '--stages', wholeTargets: true } as const;
const rates = { flag: '--rate-stages', wholeTargets: false } as const;

test('the issue\'s stages string', (t) => {
  t.deepEqual(parseStagesFlag('3s:10,1s:100,4s:100,1s:10,3s:10', users), [
    { duration: '3s', target: 10 },
    { duration: '1s', target: 100 },
    { duration: '4s', target: 100 },
    { duration: '1s', target: 10 },
    { duration: '3s', target: 10 },
  ]);
});

test('spaces, 0 s steps, ms and minutes; fractional rates', (t) => {
  t.deepEqual(parseStagesFlag(' 500ms:0 , 0s:20, 2m:20 ', users), [
    { duration: '500ms', target: 0 },
    { duration: '0s', target: 20 },
    { duration: '2m', target: 20 },
  ]);
  t.deepEqual(parseStagesFlag('10s:2.5', rates), [{ duration: '10s', target: 2.5 }]);
});

const bad: Array<[string, typeof users | typeof rates, Array<string | RegExp>]> = [
  ['', users, ['--stages: empty']],
  ['30s', users, ['stage 1 ("30s"): expected DURATION:TARGET']],
  ['30:10', users, ['stage 1 ("30:10"): "30" is not a duration']],
  ['30s:ten', users, ['target "ten" must be a number ≥ 0']],
  ['30s:-1', users, ['target "-1" must be a number ≥ 0']],
  ['30s:2.5', users, ['target 2.5 must be a whole number of users']],
  ['10s:5,,10s:6', rates, ['--rate-stages', 'stage 2 (""): expected DURATION:TARGET']],
  ['x:1,10s:y', users, [/stage 1 .*"x" is not a duration/, /stage 2 .*target "y"/]],
];

for (const [text, options, mentions] of bad) {
  test(`${options.flag} ${JSON.stringify(text)} is a UsageError naming the problem`, (t) => {
    const error = t.throws(() => parseStagesFlag(text, options));
    assertError(t, error, { instanceOf: UsageError, code: 'USAGE', mentions });
  });
}
