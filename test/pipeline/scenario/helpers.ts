import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { BenchError, type ErrorCode } from '../../../pipeline/core/errors.js';

export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const fixture = (name: string) => join(fixturesDir, name);

/** A minimal valid document to vary in table tests. */
export const validDocument = () => ({
  name: 'doc',
  load: { executor: 'constant-concurrency', users: 2, duration: '10s' } as Record<string, unknown>,
});

/** Asserts class, code and that the message names every `pattern` (paths, flags, metrics). */
export function assertError(
  t: ExecutionContext,
  error: unknown,
  expected: { instanceOf: new (...args: never[]) => BenchError; code: ErrorCode; mentions: ReadonlyArray<string | RegExp> },
): void {
  t.true(error instanceof expected.instanceOf, `expected ${expected.instanceOf.name}, got ${String(error)}`);
  if (!(error instanceof BenchError)) return;
  t.is(error.code, expected.code);
  for (const pattern of expected.mentions) {
    if (typeof pattern === 'string') t.true(error.message.includes(pattern), `message lacks ${JSON.stringify(pattern)}:\n${error.message}`);
    else t.regex(error.message, pattern);
  }
}
