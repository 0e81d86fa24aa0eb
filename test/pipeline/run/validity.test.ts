import test from 'ava';
import { validityChecks } from '../../../pipeline/run/validity.js';

const healthy = { scheduleLagP99Ms: 2, userSendWaitShare: 0.01, eventLoopDelayP99Ms: 12, clientCpuShare: 0.2, requestsSent: 10 };

test('a healthy client gives a valid run', (t) => {
  t.true(validityChecks(healthy).every((check) => check.ok));
});

for (const [name, change] of [
  ['schedule_lag_p99_ms', { scheduleLagP99Ms: 80 }],
  ['user_send_wait_share', { userSendWaitShare: 0.2 }],
  ['event_loop_delay_p99_ms', { eventLoopDelayP99Ms: 120 }],
  ['client_cpu_share', { clientCpuShare: 0.97 }],
  ['requests_sent', { requestsSent: 0 }],
] as const) {
  test(`${name} over its limit makes the run invalid with a reason`, (t) => {
    const failed = validityChecks({ ...healthy, ...change }).filter((check) => !check.ok);
    t.deepEqual(failed.map((check) => check.name), [name]);
    t.true(failed[0]!.detail.length > 10);
  });
}

test('a run without open-loop arrivals or without closed-loop users is not judged on the lag it has none of', (t) => {
  const checks = validityChecks({ ...healthy, scheduleLagP99Ms: null, userSendWaitShare: null });
  t.true(checks.every((check) => check.ok));
  t.is(checks.find((check) => check.name === 'schedule_lag_p99_ms')!.value, null);
});

test('a send-wait share over its limit names the measured share, the limit and what to change', (t) => {
  const [check] = validityChecks({ ...healthy, userSendWaitShare: 0.18, closedLoopRequests: 3000 }).filter((item) => !item.ok);
  t.is(check!.name, 'user_send_wait_share');
  t.regex(check!.detail, /18\.0 % of their time waiting to send \(limit 5 %\)/);
  t.regex(check!.detail, /ramp them in \(--stages "10s:N,60s:N" instead of --concurrency N\)/);
  t.regex(check!.detail, /run longer/);
});

test('a tiny closed-loop run is not judged on a share it cannot estimate', (t) => {
  const check = validityChecks({ ...healthy, userSendWaitShare: 0.08, closedLoopRequests: 2 }).find((item) => item.name === 'user_send_wait_share')!;
  t.true(check.ok);
  t.is(check.value, 0.08);
  t.regex(check.detail, /not judged: 2 closed-loop requests, fewer than 50/);
  t.false(validityChecks({ ...healthy, userSendWaitShare: 0.08, closedLoopRequests: 50 }).find((item) => item.name === 'user_send_wait_share')!.ok);
});
