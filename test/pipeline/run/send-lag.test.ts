import test from 'ava';
import { SendLagTally } from '../../../pipeline/run/send-lag.js';
import { okRecord } from '../../helpers/records.js';

/** A request intended at `intendedMs`, sent `lagMs` later, done `serviceMs` after sending. */
function sent(intendedMs: number, lagMs: number, serviceMs: number, user?: number) {
  return okRecord({ t_intended: intendedMs, t_send: intendedMs + lagMs, t_done: intendedMs + lagMs + serviceMs, ...(user === undefined ? {} : { user }) });
}

test('closed loop: the share of the users time spent waiting to send, not the wait in ms', (t) => {
  const longRequests = new SendLagTally();
  const shortRequests = new SendLagTally();
  for (let user = 0; user < 100; user++) {
    // The same 60 ms wait in both: 1 % of a 5 940 ms request's span, 75 % of a 20 ms one's.
    longRequests.add(sent(0, 60, 5940, user));
    shortRequests.add(sent(0, 60, 20, user));
  }
  t.is(longRequests.userSendWaitShare(), 0.01);
  t.is(shortRequests.userSendWaitShare(), 0.75);
  t.is(longRequests.arrivalLagP99Ms(), null, 'no open-loop arrivals, nothing to judge in ms');
});

test('open loop: p99 of the arrivals lag in ms, closed-loop users apart', (t) => {
  const tally = new SendLagTally();
  for (let i = 0; i < 100; i++) tally.add(sent(i * 25, i === 99 ? 500 : 1, 30));
  tally.add(sent(0, 10_000, 30, 7)); // a closed-loop user's wait does not count among the arrivals
  // Linear interpolation between the 99th (1 ms) and 100th (500 ms) sorted lags at position 98.01.
  t.is(tally.arrivalLagP99Ms()!.toFixed(2), (1 + 499 * 0.01).toFixed(2));
  t.is(tally.userSendWaitShare()!.toFixed(4), (10_000 / 10_030).toFixed(4));
});

test('requests that were never sent or did not succeed are left out, as in the summary', (t) => {
  const tally = new SendLagTally();
  tally.add(okRecord({ status: 'dropped', t_send: undefined, t_intended: 0 }));
  tally.add(okRecord({ status: 'error', error_kind: 'http_5xx', t_intended: 0, t_send: 900, t_done: 901, user: 1 }));
  t.is(tally.arrivalLagP99Ms(), null);
  t.is(tally.userSendWaitShare(), null);
});
