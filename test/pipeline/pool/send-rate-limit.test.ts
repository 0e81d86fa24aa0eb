import test from 'ava';
import { SendRateLimit } from '../../../pipeline/pool/send-rate-limit.js';

test('a full bucket grants its burst at once, then one send per 1/rate ms', (t) => {
  const limit = new SendRateLimit(2, 4); // 2 per ms, 4 saved up at most
  t.is(limit.take(100, 10), 4);
  t.is(limit.take(100, 1), 0);
  t.is(limit.waitMs(100), 0.5);
  t.is(limit.take(100.5, 10), 1);
  t.is(limit.take(101.5, 10), 2);
});

test('quiet time saves up no more than the burst', (t) => {
  const limit = new SendRateLimit(1, 3);
  t.is(limit.take(0, 3), 3);
  t.is(limit.take(1_000, 100), 3);
});

test('time that runs backwards grants nothing extra', (t) => {
  const limit = new SendRateLimit(1, 2);
  t.is(limit.take(10, 2), 2);
  t.is(limit.take(5, 2), 0);
  t.is(limit.take(11, 2), 1);
});

test('fractional tokens carry over between calls', (t) => {
  const limit = new SendRateLimit(0.4, 1);
  t.is(limit.take(0, 1), 1);
  t.is(limit.take(2, 1), 0); // 0.8 saved
  t.is(limit.take(2.5, 1), 1); // 1.0
  t.true(Math.abs(limit.waitMs(2.5) - 2.5) < 1e-9);
});

test('a rate or burst that cannot work is refused', (t) => {
  t.throws(() => new SendRateLimit(0, 1), { instanceOf: RangeError });
  t.throws(() => new SendRateLimit(Number.POSITIVE_INFINITY, 1), { instanceOf: RangeError });
  t.throws(() => new SendRateLimit(1, 0.5), { instanceOf: RangeError });
});
