/**
 * Every engine adapter's stream parser against hostile bodies (fast-check, seeded): real streams captured from
 * the simulator, then split at random byte offsets (a multi-byte character cut in two included), merged with a
 * second stream, sprinkled with garbage bytes and invalid UTF-8, or cut short. The parser never throws, and
 * every body ends in a verdict the runner can classify: the engine's end marker or a protocol error.
 */
import test from 'ava';
import fc from 'fast-check';
import { request } from 'undici';
import { adapterFor } from '../../../collectors/engines/index.js';
import { ENGINE_KINDS, type ApiKind, type EngineKind, type StreamEvent } from '../../../pipeline/core/engine.js';
import { startSimulator } from '../../../simulator/index.js';

const SEED = 4242;

interface Capture {
  readonly engine: EngineKind;
  readonly api: ApiKind;
  readonly body: Uint8Array;
}

const captures: Capture[] = [];

test.before(async () => {
  for (const engine of ENGINE_KINDS) {
    const sim = await startSimulator({ engine, seed: 3, fixed: { ttftMs: 0, itlMs: 0 } });
    try {
      const adapter = adapterFor(engine);
      for (const api of adapter.supportedApis) {
        const spec = adapter.buildRequest({ requestId: `cap-${engine}-${api}`, model: 'sim', prompt: 'héllo wörld ✓ 日本', promptTokens: 4, maxTokens: 6, stream: true, api });
        const response = await request(new URL(spec.path, sim.url), { method: spec.method, headers: spec.headers, body: spec.body ?? null });
        const body = new Uint8Array(await response.body.arrayBuffer());
        if (response.statusCode !== 200) throw new Error(`${engine} ${api}: HTTP ${response.statusCode}: ${Buffer.from(body).toString()}`);
        captures.push({ engine, api, body });
      }
    } finally {
      await sim.close();
    }
  }
});

/** Feeds `bytes` as the runner does: one streaming decode per read, reads cut at `cuts`; then finish(). */
function parse(capture: Capture, bytes: Uint8Array, cuts: readonly number[]): StreamEvent[] {
  const adapter = adapterFor(capture.engine);
  const parser = adapter.createStreamParser({ requestId: 'r', model: 'sim', prompt: '', promptTokens: 4, maxTokens: 6, stream: true, api: capture.api });
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b).concat(bytes.length)) {
    events.push(...parser.push(decoder.decode(bytes.subarray(from, cut), { stream: true })));
    from = cut;
  }
  events.push(...parser.push(decoder.decode()));
  events.push(...parser.finish());
  return events;
}

const verdict = (events: readonly StreamEvent[]) => events.some((event) => event.type === 'end' || event.type === 'error');
const capture = () => fc.integer({ min: 0, max: captures.length - 1 }).map((i) => captures[i]!);
const cuts = fc.array(fc.integer({ min: 0, max: 4096 }), { maxLength: 12 });

test('the captures are real streams: each parses to content and the end marker', (t) => {
  t.true(captures.length >= ENGINE_KINDS.length);
  for (const c of captures) {
    const events = parse(c, c.body, []);
    t.true(events.some((event) => event.type === 'content' && event.tokens > 0), `${c.engine} ${c.api}: content`);
    t.true(events.some((event) => event.type === 'end'), `${c.engine} ${c.api}: end`);
    t.false(events.some((event) => event.type === 'error'), `${c.engine} ${c.api}: ${JSON.stringify(events.filter((e) => e.type === 'error'))}`);
  }
});

test('random byte-level splits give the same events as one read', (t) => {
  fc.assert(
    fc.property(capture(), cuts, (c, at) => {
      const events = parse(c, c.body, at.map((n) => n % c.body.length));
      t.deepEqual(events, parse(c, c.body, []), `${c.engine} ${c.api}, cut at ${at.join(',')}`);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('garbage bytes, invalid UTF-8, merged streams and cut-short bodies: no throw, always a verdict', (t) => {
  const garbage = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 40 }),
    fc.constantFrom(new Uint8Array([0xff, 0xfe]), new Uint8Array([0xc3]), new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0x0d]), new Uint8Array([0x0a, 0x0a]), new Uint8Array([0x00])),
    fc.constantFrom('data: {"choices": [', 'data: [DONE]\n\n', '{"done": true}\n', 'data: {"error": "x"}\n\n', ': keep-alive\n\n', 'event: error\ndata: {}\n\n', '\r\n\r\n').map((text) => new TextEncoder().encode(text)),
  );
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: garbage }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('merge' as const), other: capture(), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  );
  fc.assert(
    fc.property(capture(), fc.array(mutation, { minLength: 1, maxLength: 5 }), cuts, (c, mutations, at) => {
      let bytes = c.body;
      for (const m of mutations) {
        const position = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
        if (m.kind === 'insert') bytes = concat(bytes.subarray(0, position), m.bytes, bytes.subarray(position));
        else if (m.kind === 'truncate') bytes = bytes.subarray(0, position);
        else if (m.kind === 'merge') bytes = concat(bytes.subarray(0, position), m.other.body, bytes.subarray(position));
        else if (bytes.length > 0) {
          bytes = bytes.slice();
          bytes[position % bytes.length]! ^= 1 << m.bit;
        }
      }
      let events: StreamEvent[] = [];
      t.notThrows(() => (events = parse(c, bytes, at)), `${c.engine} ${c.api}`);
      if (!verdict(events)) throw new Error(`${c.engine} ${c.api}: no end and no error for ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}`);
      for (const event of events) if (event.type === 'error') t.is(event.kind, 'protocol');
    }),
    { seed: SEED, numRuns: 600 },
  );
});

test('a body cut before its end marker is a protocol error, never an ok stream', (t) => {
  fc.assert(
    fc.property(capture(), fc.nat(), (c, at) => {
      const whole = parse(c, c.body, []);
      const endAt = lastRecordStart(c.body);
      const cut = at % endAt;
      const events = parse(c, c.body.subarray(0, cut), []);
      t.false(events.some((event) => event.type === 'end'), `${c.engine} ${c.api} cut at ${cut}/${c.body.length}`);
      t.true(events.some((event) => event.type === 'error'));
      t.true(whole.some((event) => event.type === 'end'));
    }),
    { seed: SEED, numRuns: 200 },
  );
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Where the body's last record (the one holding the end marker) starts: a cut before it loses the marker. */
function lastRecordStart(body: Uint8Array): number {
  const text = Buffer.from(body).toString('latin1').replace(/\s+$/, '');
  const separator = text.includes('\n\n') ? '\n\n' : '\n';
  const index = text.lastIndexOf(separator);
  return Math.max(1, index + 1);
}
