import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { RunControl } from '../../../pipeline/core/sink.js';
import { RunDirectorySink } from '../../../pipeline/sinks/run-directory.js';
import { okRecord } from '../../helpers/records.js';
import { runStart } from './helpers/records.js';

const control: RunControl = { endPhase() {}, stop() {}, fail() {}, notice() {} };

async function openSink(t: import('ava').ExecutionContext): Promise<RunDirectorySink> {
  const root = await mkdtemp(join(tmpdir(), 'llmbench-run-dir-sink-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const sink = new RunDirectorySink(join(root, 'run'));
  await sink.open(runStart(), control);
  return sink;
}

const batch = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => okRecord({ request_id: `r-${from + i}`, t_intended: 1000 + from + i }));

test('writtenRecords reads back every record handed to requests.jsonl, in order, once the writes settle', async (t) => {
  const sink = await openSink(t);
  sink.write({ kind: 'records', records: batch(0, 3) });
  sink.write({ kind: 'records', records: batch(3, 4000) });
  sink.write({ kind: 'records', records: batch(4003, 2) });
  // Asked at once, with the writes still in flight: it waits for them rather than reading a partial file.
  const ids: string[] = [];
  for await (const record of sink.writtenRecords()) ids.push(record.request_id);
  t.is(ids.length, 4005);
  t.deepEqual(ids.slice(0, 4), ['r-0', 'r-1', 'r-2', 'r-3']);
  t.is(ids.at(-1), 'r-4004');
  t.is(new Set(ids).size, ids.length, 'no record twice');
});

test('writtenRecords of a run with no records yet is empty', async (t) => {
  const sink = await openSink(t);
  const ids: string[] = [];
  for await (const record of sink.writtenRecords()) ids.push(record.request_id);
  t.deepEqual(ids, []);
});
