import test from 'ava';
import { isUserActive, nextActiveOffset, peakUsers } from '../../../pipeline/pool/user-profile.js';

// 0→10 users over 3 s, hold, spike to 100 at 4 s, back to 10 at 9 s.
const ramp: Array<[number, number]> = [
  [0, 0],
  [3000, 10],
  [3000, 10],
  [4000, 100],
  [8000, 100],
  [9000, 10],
];

test('users activate one by one as a linear ramp crosses their level', (t) => {
  t.false(isUserActive(ramp, 0, 0));
  t.true(isUserActive(ramp, 0, 300)); // 1 user at 300 ms
  t.false(isUserActive(ramp, 1, 300));
  t.is(nextActiveOffset(ramp, 1, 0), 600);
  t.is(nextActiveOffset(ramp, 9, 0), 3000);
});

test('a user above the hold level waits for the spike, and ramp-down deactivates it', (t) => {
  t.false(isUserActive(ramp, 50, 3400)); // 46 users then
  // From 10 at 3000 ms to 100 at 4000 ms: level 51 is reached at 3000 + 41/90 s.
  t.true(Math.abs(nextActiveOffset(ramp, 50, 3000) - (3000 + (41 / 90) * 1000)) < 1e-6);
  t.true(isUserActive(ramp, 50, 8000));
  t.false(isUserActive(ramp, 50, 9000));
  t.is(nextActiveOffset(ramp, 50, 9000), Number.POSITIVE_INFINITY);
});

test('peak users is the profile maximum', (t) => {
  t.is(peakUsers(ramp), 100);
  t.is(peakUsers([[0, 5]]), 5);
});

test('a constant profile makes every user active from the start', (t) => {
  const constant: Array<[number, number]> = [[0, 4]];
  t.true(isUserActive(constant, 3, 0));
  t.false(isUserActive(constant, 4, 0));
  t.is(nextActiveOffset(constant, 4, 0), Number.POSITIVE_INFINITY);
});
