import test from 'ava';
import { DispatchPacer } from '../../../pipeline/pool/dispatch-pacer.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('at most perTurn sends go out per loop turn; the rest wait for later turns, in order', async (t) => {
  const pacer = new DispatchPacer({ perTurn: 4 });
  const order: number[] = [];
  const turnOf: number[] = [];
  // Loop turns, counted by an immediate chain of our own.
  let immediates = 0;
  const countTurns = () => {
    immediates++;
    if (immediates < 50) setImmediate(countTurns);
  };
  setImmediate(countTurns);
  const sends = Array.from({ length: 10 }, async (_, i) => {
    const wait = pacer.sendTurn();
    if (wait) await wait;
    order.push(i);
    turnOf.push(immediates);
  });
  await Promise.all(sends);
  t.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // 4 at once, then 4 in a later turn, then 2 in a later one still.
  t.is(new Set(turnOf.slice(0, 4)).size, 1);
  t.is(new Set(turnOf.slice(4, 8)).size, 1);
  t.true(turnOf[4]! > turnOf[0]!);
  t.true(turnOf[8]! > turnOf[4]!);
});

test('a lone send never waits', (t) => {
  const pacer = new DispatchPacer({ perTurn: 4 });
  t.is(pacer.sendTurn(), undefined);
  t.is(pacer.turn(), undefined);
});

test('with a send rate, sends beyond the burst wait for time to pass, in order; bookkeeping does not', async (t) => {
  let nowMs = 0;
  // 1 send per ms, a burst of 2 ms' worth; the clock moves only when the test moves it.
  const pacer = new DispatchPacer({ perTurn: 16, sendRatePerS: 1000, nowMs: () => nowMs });
  const sent: number[] = [];
  const sends = Array.from({ length: 6 }, async (_, i) => {
    const wait = pacer.sendTurn();
    if (wait) await wait;
    sent.push(i);
  });
  for (let i = 0; i < 20; i++) await nextTurn();
  t.deepEqual(sent, [0, 1], 'the burst goes; the rest wait while no time passes');

  let booked = false;
  const bookkeeping = pacer.turn();
  void Promise.resolve(bookkeeping).then(() => (booked = true));
  for (let i = 0; i < 5; i++) await nextTurn();
  t.true(booked, 'bookkeeping is not held to the send rate');

  nowMs = 3; // 3 tokens accrued, 2 kept (the burst)
  await new Promise((resolve) => setTimeout(resolve, 30)); // the pacer's timer (1 ms floor) fires
  for (let i = 0; i < 5; i++) await nextTurn();
  t.deepEqual(sent, [0, 1, 2, 3]);

  nowMs = 10;
  await new Promise((resolve) => setTimeout(resolve, 30));
  await Promise.all(sends);
  t.deepEqual(sent, [0, 1, 2, 3, 4, 5]);
});
