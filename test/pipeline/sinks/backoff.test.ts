import test from 'ava';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../../pipeline/sinks/backoff.js';

const delay = test.macro((t, attempt: number, retryAfterMs: number | undefined, expected: number) =>
  t.is(backoffDelayMs(attempt, DEFAULT_BACKOFF, retryAfterMs), expected),
);
test('first retry waits the minimum', delay, 1, undefined, 250);
test('then doubles', delay, 3, undefined, 1000);
test('and is capped', delay, 10, undefined, 2000);
test('Retry-After longer than the backoff wins', delay, 1, 3000, 3000);
test('Retry-After shorter than the backoff does not shorten it', delay, 3, 100, 1000);
test('Retry-After is capped too', delay, 1, 3_600_000, 60_000);
