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
