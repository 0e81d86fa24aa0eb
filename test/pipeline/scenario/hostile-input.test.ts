/**
 * Hostile scenario files: whatever the bytes, loading gives a Scenario or a ScenarioError (exit 2) that names
 * each bad path, never a stack trace or another error type, and no control character of the file reaches the
 * message. Property-based (fast-check, seeded) plus the bombs and encodings found by hand.
 */
import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BenchError, ScenarioError } from '../../../pipeline/core/errors.js';
import { loadScenario } from '../../../pipeline/scenario/load.js';
import { printable } from '../../../pipeline/scenario/printable.js';
import { MAX_SCENARIO_BYTES } from '../../../pipeline/scenario/yaml.js';

const SEED = 20_261_207;
/** A raw control character (other than the line breaks between a message's lines). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let dir = '';
let fileNumber = 0;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmbench-hostile-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(content: string | Uint8Array): Promise<unknown> {
  const file = join(dir, `s${fileNumber++}.yaml`);
  await writeFile(file, content);
  try {
    return await loadScenario(file);
  } finally {
    await rm(file, { force: true });
  }
}

/** Loads and returns the error; fails the property when it is anything but a ScenarioError. */
async function refusal(content: string | Uint8Array): Promise<ScenarioError | undefined> {
  try {
    await load(content);
    return undefined;
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw new Error(`not a ScenarioError: ${String((error as Error)?.stack ?? error)}`);
    if (RAW_CONTROL.test(error.message)) throw new Error(`raw control character in ${JSON.stringify(error.message)}`);
    return error;
  }
}

const base = () => ({
  name: 'fuzz',
  target: { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm' },
  workload: { prompt_tokens: 8, max_tokens: 8, stream: true },
  load: { executor: 'constant-concurrency', users: 2, duration: '10s' },
  thresholds: { ttft_ms: ['p95 < 1000'] },
});

/** Breakages at known paths: each must be named in the message. */
const breakages: ReadonlyArray<{ path: string[]; values: fc.Arbitrary<unknown> }> = [
  { path: ['load', 'users'], values: fc.oneof(fc.integer({ max: 0 }), fc.constant('ten'), fc.double({ min: 1.1, max: 9.9, noInteger: true })) },
  { path: ['workload', 'max_tokens'], values: fc.oneof(fc.integer({ max: 0 }), fc.constant(true), fc.constant([1])) },
  { path: ['workload', 'stream'], values: fc.oneof(fc.constant('yes'), fc.integer()) },
  { path: ['target', 'url'], values: fc.constantFrom('ftp://x', 'not a url', 42) },
  { path: ['load', 'duration'], values: fc.constantFrom('ten seconds', '5 parsecs', '-1s') },
  { path: ['thresholds', 'ttft_ms'], values: fc.constantFrom(['p97 < 1'], ['fast'], 'p95 < 1') },
];

const strangeKey = fc.string({ unit: fc.oneof(fc.constantFrom('\u001b', '[', '2', 'J', '\u009b', '\u202e', '\n', '\t', '.', ':'), fc.string({ minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 });

test('a valid scenario with breakages at known paths is refused with every path named, its weird keys escaped', async (t) => {
  const broken = fc.tuple(...breakages.map(({ values }) => fc.option(values, { nil: undefined }))).filter((values) => values.some((value) => value !== undefined));
  await fc.assert(
    fc.asyncProperty(broken, fc.option(strangeKey, { nil: undefined }), async (values, key) => {
      const document = base() as unknown as Record<string, Record<string, unknown>>;
      const expected: string[] = [];
      values.forEach((value, index) => {
        if (value === undefined) return;
        const [section, field] = breakages[index]!.path;
        document[section!]![field!] = value;
        expected.push(`${section}.${field}`);
      });
      if (key !== undefined && key.trim() !== '' && !(key in document.workload!)) {
        document.workload![key] = 1;
        expected.push(`workload.${printable(key)}`);
      }
      const error = await refusal(stringify(document));
      t.is(error?.code, 'SCENARIO_INVALID');
      const missing = expected.filter((path) => !(error?.message ?? '').includes(path));
      if (missing.length > 0) throw new Error(`the message does not name ${missing.join(', ')}:\n${error?.message}`);
    }),
    { seed: SEED, numRuns: 150 },
  );
});

test('arbitrary text and arbitrary bytes: a Scenario or a ScenarioError, never another error or a raw control character', async (t) => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: fc.constantFrom('&a ', '*a', '[', ']', '{', '}', ':', ' ', '\n', '-', '!!', '"', "'", '#', '? ', '|', '>', 'x', '1', '\u001b', '\ufeff'), maxLength: 80 }),
    fc.dictionary(strangeKey, fc.jsonValue({ maxDepth: 3 })).map((value) => stringify(value)),
  );
  await fc.assert(
    fc.asyncProperty(fc.oneof(text, fc.uint8Array({ maxLength: 200 })), async (content) => {
      await refusal(content);
    }),
    { seed: SEED, numRuns: 300 },
  );
  t.pass('every input above was either a scenario or a ScenarioError (fc.assert throws otherwise)');
});

const refusedCases: ReadonlyArray<[string, string | Uint8Array | (() => string), RegExp]> = [
  ['an undefined alias', 'name: x\nload: *nowhere\n', /:2:7: alias \*nowhere refers to no anchor/],
  [
    'an alias bomb',
    ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n') + '\n',
    /aliases expand to more than 100 copies/,
  ],
  ['nesting 100 000 deep', () => `name: x\nload: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, /nested too deeply|nested more than 64 levels/],
  ['nesting 100 levels of mappings', () => `name: x\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n`, /:66:\d+: nested more than 64 levels deep/],
  ['a duplicate key', 'name: x\nname: y\n', /:2:1: duplicate key name/],
  ['a key with a terminal escape sequence', 'name: x\nextends: quick\n"\u001b[2Jboom": 1\n', /"\\u001b\[2Jboom": unknown key/],
  ['a UTF-16 file (with its byte-order mark)', new Uint8Array([0xff, 0xfe, ...Buffer.from('name: x\n', 'utf16le')]), /encoded as UTF-16 \(little-endian byte-order mark FF FE\)/],
  ['a UTF-16 file without a byte-order mark', new Uint8Array(Buffer.from('name: x\n', 'utf16le')), /encoded as UTF-16 little-endian \(no byte-order mark\)/],
  ['invalid UTF-8 in a value', new Uint8Array([...Buffer.from('name: x\nextends: quick\ndescription: ab'), 0xc3, 0x28, 0x0a]), /:3:16: invalid UTF-8 at byte offset 38 \(byte 0xc3\)/],
  ['a file over the size limit', () => `name: x\ndescription: "${'x'.repeat(MAX_SCENARIO_BYTES)}"\n`, /bytes; a scenario file may be at most 1048576 bytes/],
  ['users: -1 with no executor: every problem at once', 'name: x\nload: {users: -1, rate: 0}\n', /load\.executor: is required[\s\S]*load\.users: must be ≥ 1, got -1[\s\S]*load\.rate: must be > 0, got 0/],
];

for (const [name, content, message] of refusedCases) {
  test(`refused as a scenario error: ${name}`, async (t) => {
    const error = await refusal(typeof content === 'function' ? content() : content);
    t.true(error instanceof BenchError, 'refused');
    t.is(error?.code, 'SCENARIO_INVALID');
    t.is(error?.exitCode, 2);
    t.regex(error?.message ?? '', message);
  });
}

test('a genuine U+FFFD in a UTF-8 file is accepted (only invalid bytes are refused)', async (t) => {
  const scenario = (await load('name: x\nextends: quick\ndescription: "replacement \ufffd char"\n')) as { description?: string };
  t.is(scenario.description, 'replacement \ufffd char');
});

test('a UTF-8 byte-order mark is dropped, not refused', async (t) => {
  const scenario = (await load(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('name: bom\nextends: quick\n')]))) as { name: string };
  t.is(scenario.name, 'bom');
});

test('refusing a mapping of 40 000 keys grows linearly with its size (the duplicate check was quadratic: 11.9 s)', async (t) => {
  const mapping = (keys: number) => `name: x\n${Array.from({ length: keys }, (_, i) => `k${i}: 1`).join('\n')}\n`;
  const timed = async (keys: number) => {
    const start = performance.now();
    const error = await refusal(mapping(keys));
    t.truthy(error);
    return performance.now() - start;
  };
  await timed(2_000); // warm the parser and the schema
  const smallMs = await timed(10_000);
  const largeMs = await timed(40_000);
  t.log(`10 000 keys: ${smallMs.toFixed(0)} ms; 40 000 keys: ${largeMs.toFixed(0)} ms`);
  // 4× the keys: ~4× the time when linear, ~16× when quadratic. The margin absorbs a busy machine.
  t.true(largeMs < smallMs * 8 + 500, `${largeMs.toFixed(0)} ms against ${smallMs.toFixed(0)} ms`);
});
