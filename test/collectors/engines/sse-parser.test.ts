import test from 'ava';
import { SseParser, type SseRecord } from '../../../collectors/engines/sse-parser.js';

function parse(pieces: readonly string[]): SseRecord[] {
  const parser = new SseParser();
  const records: SseRecord[] = [];
  for (const piece of pieces) records.push(...parser.push(piece));
  records.push(...parser.finish());
  return records;
}

/** Every two-piece cut and one character per push must give the same records as one push. */
function assertSplits(t: import('ava').ExecutionContext, body: string, expected: SseRecord[]): void {
  t.deepEqual(parse([body]), expected);
  t.deepEqual(parse([...body]), expected);
  for (let cut = 1; cut < body.length; cut++) {
    const records = parse([body.slice(0, cut), body.slice(cut)]);
    if (JSON.stringify(records) !== JSON.stringify(expected)) {
      t.deepEqual(records, expected, `cut at ${cut}`);
      return;
    }
  }
}

const message = (data: string): SseRecord => ({ event: 'message', data });

const cases: Array<[string, string, SseRecord[]]> = [
  ['data with one space stripped', 'data: {"a":1}\n\n', [message('{"a":1}')]],
  ['data without a space', 'data:{"a":1}\n\n', [message('{"a":1}')]],
  ['only one leading space is stripped', 'data:  two\n\n', [message(' two')]],
  ['several records in one read', 'data: 1\n\ndata: 2\n\ndata: [DONE]\n\n', [message('1'), message('2'), message('[DONE]')]],
  ['multi-line data joined by LF', 'data: a\ndata: b\ndata:\n\n', [message('a\nb\n')]],
  ['comment / keep-alive lines ignored', ': keep-alive\n\ndata: x\n: ping\n\n:\n\n', [message('x')]],
  ['CRLF line ends', 'data: a\r\n\r\ndata: b\r\n\r\n', [message('a'), message('b')]],
  ['CR-only line ends', 'data: a\r\rdata: b\r\r', [message('a'), message('b')]],
  ['mixed line ends', 'data: a\r\n\ndata: b\n\r\n', [message('a'), message('b')]],
  ['named event', 'event: error\ndata: {"error":"x"}\n\n', [{ event: 'error', data: '{"error":"x"}' }]],
  ['old llama.cpp `error:` field', 'error: {"code":500,"message":"boom"}\n\n', [{ event: 'error', data: '{"code":500,"message":"boom"}' }]],
  ['event name resets after dispatch', 'event: error\ndata: a\n\ndata: b\n\n', [{ event: 'error', data: 'a' }, message('b')]],
  ['id, retry and unknown fields ignored', 'id: 7\nretry: 100\nfoo: bar\ndata: x\n\n', [message('x')]],
  ['a record without data is dropped', 'event: ping\n\ndata: x\n\n', [message('x')]],
  ['field without colon is a field with empty value', 'data\n\n', [message('')]],
  ['colon inside the value is kept', 'data: {"t":"a:b"}\n\n', [message('{"t":"a:b"}')]],
  ['byte-order mark at the start ignored', '\ufeffdata: x\n\n', [message('x')]],
  ['unterminated last record returned by finish', 'data: 1\n\ndata: [DONE]\n', [message('1'), message('[DONE]')]],
  ['unterminated last line returned by finish', 'data: 1\n\ndata: [DONE]', [message('1'), message('[DONE]')]],
  ['non-ASCII text', 'data: {"t":"héllo ✓ 🙂"}\n\n', [message('{"t":"héllo ✓ 🙂"}')]],
];

for (const [name, body, expected] of cases) {
  test(`sse: ${name}, in every split`, (t) => assertSplits(t, body, expected));
}

test('sse: a record is not returned before its blank line', (t) => {
  const parser = new SseParser();
  t.deepEqual(parser.push('data: 1\n'), []);
  t.deepEqual(parser.push('\n'), [message('1')]);
});

test('sse: a CR at the end of one push pairs with an LF at the start of the next', (t) => {
  const parser = new SseParser();
  t.deepEqual(parser.push('data: 1\r'), []);
  // If the LF were taken as a second line end, this would dispatch an (empty-line) record boundary early
  // and then the next CR LF would be a blank line too: the record must come exactly once, here.
  t.deepEqual(parser.push('\n\r'), [message('1')]);
  t.deepEqual(parser.push('\ndata: 2\r\n\r\n'), [message('2')]);
  t.deepEqual(parser.finish(), []);
});

test('sse: a long record split into many small reads is kept whole', (t) => {
  const payload = JSON.stringify({ text: 'x'.repeat(20_000) });
  const body = `data: ${payload}\n\n`;
  const parser = new SseParser();
  const records: SseRecord[] = [];
  for (let i = 0; i < body.length; i += 7) records.push(...parser.push(body.slice(i, i + 7)));
  t.deepEqual(records, [message(payload)]);
});

test('sse: empty pushes change nothing', (t) => {
  const parser = new SseParser();
  t.deepEqual(parser.push(''), []);
  t.deepEqual(parser.push('data: a\r'), []);
  t.deepEqual(parser.push(''), []);
  t.deepEqual(parser.push('\n\n'), [message('a')]);
});
