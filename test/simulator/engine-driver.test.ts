import test from 'ava';
import { EngineDriver } from '../../simulator/engine-driver.js';
import { FixedModel } from '../../simulator/fixed-model.js';

/** Loop turns, counted by an immediate chain of our own (as the dispatch pacer's test does). */
function turnCounter(limit = 200): { readonly now: () => number } {
  let turns = 0;
  const tick = () => {
    turns++;
    if (turns < limit) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turns };
}

test('a wake-up with hundreds of due tokens hands them out 64 per loop turn, in order, skipping cancelled jobs', async (t) => {
  const nowMs = 1_000;
  const driver = new EngineDriver(new FixedModel({ ttftMs: 0, itlMs: 1 }), () => nowMs);
  t.teardown(() => driver.close());
  const turns = turnCounter();
  const delivered: Array<{ job: number; turn: number }> = [];
  const jobs: number[] = [];
  const allDone = new Promise<void>((resolve) => {
    for (let i = 0; i < 200; i++) {
      const id = driver.submit(
        { promptTokens: 1, outputTokens: 1, arrivalMs: nowMs },
        {
          onAdmitted: () => {},
          onToken: () => {
            delivered.push({ job: id, turn: turns.now() });
            if (delivered.length === 199) resolve();
          },
        },
      );
      jobs.push(id);
    }
  });
  driver.cancel(jobs[100]!); // its token never reaches a listener
  await allDone;
  t.deepEqual(delivered.map((d) => d.job), jobs.filter((_, i) => i !== 100), 'every job but the cancelled one, in submit order');
  // 200 admissions and 199 tokens, 64 events a turn: the tokens span several turns, never more than 64 in one.
  const perTurn = new Map<number, number>();
  for (const { turn } of delivered) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
  t.true(perTurn.size >= 3, `spread over ${perTurn.size} turns`);
  t.true(Math.max(...perTurn.values()) <= 64);
});

test('closing with events still waiting hands nothing more out', async (t) => {
  const driver = new EngineDriver(new FixedModel({ ttftMs: 0, itlMs: 1 }), () => 1_000);
  let tokens = 0;
  for (let i = 0; i < 200; i++) driver.submit({ promptTokens: 1, outputTokens: 1, arrivalMs: 1_000 }, { onAdmitted: () => {}, onToken: () => tokens++ });
  while (tokens === 0) await new Promise((resolve) => setImmediate(resolve)); // at most 64 events a turn
  const before = tokens;
  driver.close();
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  t.true(before < 200);
  t.is(tokens, before);
});
