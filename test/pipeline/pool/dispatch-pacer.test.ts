import test from 'ava';
import { DispatchPacer } from '../../../pipeline/pool/dispatch-pacer.js';

test('at most perTurn sends go out per loop turn; the rest wait for later turns, in order', async (t) => {
  const pacer = new DispatchPacer(4);
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
    const wait = pacer.turn();
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
  const pacer = new DispatchPacer(4);
  t.is(pacer.turn(), undefined);
});
