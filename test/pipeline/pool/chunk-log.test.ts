import test from 'ava';
import { gapsOf } from '../../../pipeline/core/request-metrics.js';
import { ChunkLog, unpackChunkLog } from '../../../pipeline/pool/chunk-log.js';

test('an empty log has no entries, and packs to nothing', (t) => {
  const log = new ChunkLog();
  t.is(log.length, 0);
  t.is(log.packed().length, 0);
  t.deepEqual(unpackChunkLog(log.packed()), []);
});

test('entries come back in order, exactly, across growth of the buffer, read in place or packed', (t) => {
  const log = new ChunkLog();
  const expected: Array<[number, number]> = [];
  for (let i = 0; i < 300; i++) {
    const entry: [number, number] = [i * 49.875 + 0.001, 1 + (i % 3)];
    expected.push(entry);
    log.push(entry[0], entry[1]);
  }
  t.is(log.length, 300);
  t.deepEqual(
    Array.from({ length: log.length }, (_, i) => [log.offsetMs(i), log.tokens(i)]),
    expected,
  );
  // Exactly the entries: no spare capacity of the growing buffer crosses to the coordinator.
  t.is(log.packed().length, 600);
  t.deepEqual(unpackChunkLog(log.packed()), expected);
});

test('the packed copy does not change when the log grows afterwards', (t) => {
  const log = new ChunkLog();
  log.push(10, 1);
  const packed = log.packed();
  log.push(20, 2);
  t.deepEqual(unpackChunkLog(packed), [[10, 1]]);
});

test('gaps read from the log in place equal gaps read from its entries', (t) => {
  const log = new ChunkLog();
  for (const [offsetMs, tokens] of [[50, 1], [70, 3], [80, 0], [95, 2]] as const) log.push(offsetMs, tokens);
  const entries = unpackChunkLog(log.packed());
  t.deepEqual(gapsOf(log), gapsOf(entries));
  t.deepEqual(gapsOf(log).itlGapsMs, [20 / 3, 20 / 3, 20 / 3, 12.5, 12.5]);
});
