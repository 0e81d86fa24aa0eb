import test from 'ava';
import { RequestCancel } from '../../../pipeline/pool/request-cancel.js';

test('abort runs the listener once, synchronously, and the first reason wins', (t) => {
  const cancel = new RequestCancel();
  let calls = 0;
  cancel.onAbort(() => calls++);
  t.false(cancel.aborted);
  const first = new Error('first');
  cancel.abort(first);
  t.is(calls, 1);
  cancel.abort(new Error('second'));
  t.is(calls, 1);
  t.true(cancel.aborted);
  t.is(cancel.reason, first);
});

test('a later listener replaces the earlier one (a retried exchange listens again)', (t) => {
  const cancel = new RequestCancel();
  const heard: string[] = [];
  cancel.onAbort(() => heard.push('first attempt'));
  cancel.onAbort(() => heard.push('retry'));
  cancel.abort('stop');
  t.deepEqual(heard, ['retry']);
});

test('removing a listener silences it, and a stale removal does not remove its successor', (t) => {
  const cancel = new RequestCancel();
  const heard: string[] = [];
  const removeFirst = cancel.onAbort(() => heard.push('first'));
  removeFirst();
  const removeSecond = cancel.onAbort(() => heard.push('second'));
  removeFirst();
  cancel.abort('stop');
  t.deepEqual(heard, ['second']);
  removeSecond();
});

test('a listener set after the abort is never called: callers check aborted first', (t) => {
  const cancel = new RequestCancel();
  cancel.abort('stop');
  let calls = 0;
  cancel.onAbort(() => calls++);
  t.is(calls, 0);
  t.is(cancel.reason, 'stop');
});
