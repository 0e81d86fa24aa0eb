import test from 'ava';
import { Watchdog } from '../../../pipeline/pool/watchdog.js';

function entry(sentMs: number | undefined) {
  const aborts: string[] = [];
  return {
    aborts,
    watched: { lastActivityMs: sentMs ?? 0, sawFirstToken: false, sentMs, abort: (kind: string) => aborts.push(kind) },
  };
}

test('no first token within the timeout aborts with timeout_first_token', (t) => {
  let now = 1000;
  const dog = new Watchdog(500, 200, () => now);
  const a = entry(1000);
  dog.watch(a.watched as never);
  now = 1400;
  dog.check();
  t.deepEqual(a.aborts, []);
  now = 1501;
  dog.check();
  t.deepEqual(a.aborts, ['timeout_first_token']);
  dog.stop();
});

test('an idle gap after the first token aborts with timeout_idle; activity resets it', (t) => {
  let now = 0;
  const dog = new Watchdog(10_000, 200, () => now);
  const a = entry(0);
  a.watched.sawFirstToken = true;
  dog.watch(a.watched as never);
  now = 150;
  a.watched.lastActivityMs = 150;
  now = 300;
  dog.check();
  t.deepEqual(a.aborts, []);
  now = 351;
  dog.check();
  t.deepEqual(a.aborts, ['timeout_idle']);
  dog.stop();
});

test('a request still connecting is left to the connect timeout', (t) => {
  let now = 0;
  const dog = new Watchdog(100, 100, () => now);
  const a = entry(undefined);
  const unwatch = dog.watch(a.watched as never);
  now = 10_000;
  dog.check();
  t.deepEqual(a.aborts, []);
  unwatch();
});
