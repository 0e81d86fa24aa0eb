/**
 * Drives a StreamParser the way the runner does (push per read, finish at end of body) over every way a
 * body can be cut into reads, so each test states the events once and proves them for all splits.
 */
import type { ExecutionContext } from 'ava';
import type { StreamEvent, StreamParser } from '../../../pipeline/core/engine.js';

/** Events of one whole body pushed in the given pieces, then finish(). */
export function eventsOf(parser: StreamParser, pieces: readonly string[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const piece of pieces) events.push(...parser.push(piece));
  events.push(...parser.finish());
  return events;
}

/**
 * Every split of `body` tried: all in one read, one character per read, two reads cut at every boundary,
 * three reads cut at pseudo-random pairs. Each must give exactly `expected`. Returns the all-in-one events.
 */
export function assertEverySplit(t: ExecutionContext, make: () => StreamParser, body: string, expected: readonly StreamEvent[]): void {
  // Split results are compared with the one-read result by JSON text (fast, and key order is the same
  // code path); that one is compared with `expected` structurally.
  const whole = eventsOf(make(), [body]);
  t.deepEqual(whole, expected, 'all in one read');
  const expectedText = JSON.stringify(whole);
  const same = (events: StreamEvent[]) => JSON.stringify(events) === expectedText;
  t.true(same(eventsOf(make(), [...body])), 'one character per read');
  let failures = 0;
  for (let cut = 1; cut < body.length && failures === 0; cut++) {
    const events = eventsOf(make(), [body.slice(0, cut), body.slice(cut)]);
    if (!same(events)) {
      failures++;
      t.deepEqual(events, whole, `two reads cut at ${cut}: ${JSON.stringify(body.slice(Math.max(0, cut - 10), cut))}|…`);
    }
  }
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 200 && failures === 0; i++) {
    const a = 1 + Math.floor(random() * (body.length - 1));
    const b = a + Math.floor(random() * (body.length - a));
    const events = eventsOf(make(), [body.slice(0, a), body.slice(a, b), body.slice(b)]);
    if (!same(events)) {
      failures++;
      t.deepEqual(events, whole, `three reads cut at ${a}, ${b}`);
    }
  }
  t.is(failures, 0, 'every split parses the same');
}

/** The body as bytes, decoded the way the runner decodes each read (streaming TextDecoder), `size` bytes per read. */
export function eventsOfBytes(parser: StreamParser, body: string, size: number): StreamEvent[] {
  const bytes = new TextEncoder().encode(body);
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) events.push(...parser.push(decoder.decode(bytes.subarray(i, i + size), { stream: true })));
  events.push(...parser.push(decoder.decode()));
  events.push(...parser.finish());
  return events;
}

/** Joins SSE `data:` payloads into a body: each record followed by a blank line. */
export function sse(...records: readonly string[]): string {
  return records.map((record) => `${record}\n\n`).join('');
}

/** Sum of tokens over content events. */
export function contentTokens(events: readonly StreamEvent[]): number {
  return events.reduce((sum, e) => sum + (e.type === 'content' ? e.tokens : 0), 0);
}

/** A GenerationRequest with test defaults. */
export function generationRequest(overrides: Partial<import('../../../pipeline/core/engine.js').GenerationRequest> = {}) {
  return {
    requestId: 'req-0001',
    model: 'm',
    prompt: 'nonce-1 Once upon a time',
    promptTokens: 7,
    maxTokens: 3,
    stream: true,
    api: 'native' as const,
    seed: 42,
    ...overrides,
  };
}

/** The JSON body of a built request. */
export function bodyOf(spec: { body?: string }): Record<string, unknown> {
  return JSON.parse(spec.body ?? 'null') as Record<string, unknown>;
}
