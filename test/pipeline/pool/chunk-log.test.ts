import test from 'ava';
import { ChunkLog } from '../../../pipeline/pool/chunk-log.js';

test('an empty log has no entries', (t) => {
  const log = new ChunkLog();
  t.is(log.length, 0);
  t.deepEqual(log.entries(), []);
});

test('entries come back in order, exactly, across growth of the buffer', (t) => {
  const log = new ChunkLog();
  const expected: Array<[number, number]> = [];
  for (let i = 0; i < 300; i++) {
    const entry: [number, number] = [i * 49.875 + 0.001, 1 + (i % 3)];
    expected.push(entry);
    log.push(entry[0], entry[1]);
  }
  t.is(log.length, 300);
  t.deepEqual(log.entries(), expected);
});
