import test from 'ava';
import { NdjsonParser } from '../../../collectors/engines/ndjson-parser.js';

function parse(pieces: readonly string[]): string[] {
  const parser = new NdjsonParser();
  const lines: string[] = [];
  for (const piece of pieces) lines.push(...parser.push(piece));
  lines.push(...parser.finish());
  return lines;
}

const cases: Array<[string, string, string[]]> = [
  ['one object per line', '{"a":1}\n{"b":2}\n', ['{"a":1}', '{"b":2}']],
  ['blank lines skipped', '\n{"a":1}\n\n  \n{"b":2}\n', ['{"a":1}', '{"b":2}']],
  ['CRLF framing', '{"a":1}\r\n{"b":2}\r\n', ['{"a":1}', '{"b":2}']],
  ['last line without newline kept by finish', '{"a":1}\n{"done":true}', ['{"a":1}', '{"done":true}']],
  ['non-ASCII', '{"t":"é 🙂"}\n', ['{"t":"é 🙂"}']],
];

for (const [name, body, expected] of cases) {
  test(`ndjson: ${name}, in every split`, (t) => {
    t.deepEqual(parse([body]), expected);
    t.deepEqual(parse([...body]), expected);
    for (let cut = 1; cut < body.length; cut++) t.deepEqual(parse([body.slice(0, cut), body.slice(cut)]), expected, `cut at ${cut}`);
  });
}

test('ndjson: a line is returned only once its newline arrives', (t) => {
  const parser = new NdjsonParser();
  t.deepEqual(parser.push('{"a":'), []);
  t.deepEqual(parser.push('1}'), []);
  t.deepEqual(parser.push('\n{"b"'), ['{"a":1}']);
  t.deepEqual(parser.finish(), ['{"b"']);
});
