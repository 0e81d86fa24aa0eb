import test from 'ava';
import type { Point } from '../../../pipeline/core/point.js';
import { toLineProtocol } from '../../../pipeline/sinks/line-protocol.js';
import { parseLine } from './helpers/line-keys.js';

const point = (tags: Record<string, string>, fields: Point['fields']): Point => ({ measurement: 'llm_request', tags, fields, time_ms: 0 });

const escapes = test.macro({
  exec(t, tags: Record<string, string>, fields: Point['fields'], expected: string) {
    t.is(toLineProtocol(point(tags, fields), '1795800000000000001'), expected);
  },
  title: (provided = '') => `line protocol: ${provided}`,
});

test('plain tags and a float', escapes, { run_id: 'r1', stage: 'main' }, { ttft_ms: 40.5 }, 'llm_request,run_id=r1,stage=main ttft_ms=40.5 1795800000000000001');
test('whole numbers stay floats (no "i")', escapes, { run_id: 'r1' }, { tokens: 16 }, 'llm_request,run_id=r1 tokens=16 1795800000000000001');
test('space, comma and equals in a tag value', escapes, { model: 'llama 3,8b=q4' }, { x: 1 }, 'llm_request,model=llama\\ 3\\,8b\\=q4 x=1 1795800000000000001');
test('a trailing backslash cannot escape the separator', escapes, { model: 'C:\\models\\' }, { x: 1 }, 'llm_request,model=C:\\models_ x=1 1795800000000000001');
test('a newline in a tag value becomes a space', escapes, { stage: 'a\nb' }, { x: 1 }, 'llm_request,stage=a\\ b x=1 1795800000000000001');
test('an empty tag value is left out', escapes, { run_id: 'r1', stage: '' }, { x: 1 }, 'llm_request,run_id=r1 x=1 1795800000000000001');
test('quotes and backslashes in a string field', escapes, {}, { error_kind: 'say "hi" \\o/' }, 'llm_request error_kind="say \\"hi\\" \\\\o/" 1795800000000000001');
test('a newline in a string field becomes a space', escapes, {}, { msg: 'one\r\ntwo\nthree' }, 'llm_request msg="one two three" 1795800000000000001');
test('booleans', escapes, {}, { valid: true, warmup: false }, 'llm_request valid=T,warmup=F 1795800000000000001');
test('non-finite numbers are skipped', escapes, {}, { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 2 }, 'llm_request c=2 1795800000000000001');

test('a point without a finite field has no line', (t) => {
  t.is(toLineProtocol(point({ run_id: 'r' }, { a: Number.NaN }), '1'), undefined);
});

test('odd tag values survive a parse of the line', (t) => {
  const odd = { model: 'a b,c=d', engine: 'x\\y', scenario: 'ünïcødé 🚀', stage: 'tab\there' };
  const line = toLineProtocol(point(odd, { request_id: 'q,"1"' }), '7')!;
  const parsed = parseLine(line);
  t.deepEqual(parsed.tags, { model: 'a b,c=d', engine: 'x\\y', scenario: 'ünïcødé 🚀', stage: 'tab here' });
  t.is(parsed.fields.request_id, '"q,\\"1\\""');
  t.is(parsed.timeNs, '7');
});
