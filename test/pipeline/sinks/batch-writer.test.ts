import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { DEFAULT_BACKOFF } from '../../../pipeline/sinks/backoff.js';
import { BatchWriter, type BatchWriterOptions } from '../../../pipeline/sinks/batch-writer.js';
import type { InfluxHttp, WriteOutcome } from '../../../pipeline/sinks/influx-http.js';
import { listSpillFiles, readSpillFile, SpillWriter } from '../../../pipeline/sinks/spill.js';
import { SkipClock } from './helpers/skip-clock.js';

/** An InfluxHttp answering from a script: outcome number n for the n-th write. */
class ScriptedHttp implements InfluxHttp {
  readonly accepted: string[] = [];
  writes = 0;
  constructor(private readonly answer: (n: number) => WriteOutcome) {}
  async write(body: string): Promise<WriteOutcome> {
    const outcome = this.answer(this.writes++);
    if (outcome.ok) this.accepted.push(...body.split('\n'));
    return outcome;
  }
  async get() {
    return { status: 200, body: '', message: '' };
  }
  close() {}
}

const OK: WriteOutcome = { ok: true };
const UNAVAILABLE: WriteOutcome = { ok: false, retryable: true, status: 503, message: '503 Service Unavailable' };
const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `m v=${from + i} ${from + i}`);

function writer(http: InfluxHttp, overrides: Partial<BatchWriterOptions> = {}) {
  const notices: string[] = [];
  const clock = new SkipClock();
  const options: BatchWriterOptions = {
    batchSize: 10,
    maxBufferedLines: 1_000,
    finalRetryMs: 10_000,
    backoff: DEFAULT_BACKOFF,
    clock,
    onNotice: (line) => notices.push(line),
    ...overrides,
  };
  return { writer: new BatchWriter(http, options), notices, clock };
}

async function spillDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'llmbench-spill-')), 'influx-spill');
}

test('failed batches are retried with backoff until they are written, in order, and counted once', async (t) => {
  const http = new ScriptedHttp((n) => (n < 4 ? UNAVAILABLE : OK));
  const { writer: w, notices, clock } = writer(http);
  w.enqueue(lines(0, 25));
  await w.drain();
  t.deepEqual(http.accepted, lines(0, 25));
  const counts = w.counts();
  t.is(counts.written, 25);
  t.is(counts.retried, 10, 'only the first batch was re-sent');
  t.is(counts.failedRequests, 4);
  t.is(counts.spilled + counts.lost + counts.unsent + counts.pending, 0);
  t.deepEqual(clock.sleeps, [250, 500, 1000, 2000]);
  t.is(notices.length, 2);
  t.regex(notices[0]!, /writes failing \(503 Service Unavailable\); points are kept/);
  t.regex(notices[1]!, /writes recovered after 3\.8 s \(4 failed requests\); nothing lost/);
});

test('Retry-After from the server stretches the wait', async (t) => {
  const http = new ScriptedHttp((n) => (n === 0 ? { ...UNAVAILABLE, retryAfterMs: 7000 } : OK));
  const { writer: w, clock } = writer(http);
  w.enqueue(lines(0, 3));
  await w.drain();
  t.deepEqual(clock.sleeps, [7000]);
});

test('past the memory bound the oldest waiting batches are spilled to disk, and nothing is lost', async (t) => {
  let failing = true;
  const http = new ScriptedHttp(() => (failing ? UNAVAILABLE : OK));
  const dir = await spillDir();
  const { writer: w, notices } = writer(http, { maxBufferedLines: 30, spill: new SpillWriter(dir) });
  w.enqueue(lines(0, 10)); // goes on the wire and fails
  await new Promise((resolve) => setImmediate(resolve));
  w.enqueue(lines(10, 40)); // 50 waiting > 30: the oldest not on the wire go to disk
  failing = false;
  await w.drain();
  const counts = w.counts();
  t.is(counts.spilled, 20);
  t.is(counts.written, 30);
  t.is(counts.lost, 0);
  const spilled = (await Promise.all((await listSpillFiles(join(dir, '..'))).map(readSpillFile))).flat();
  t.deepEqual([...spilled, ...http.accepted].sort(), lines(0, 50).sort(), 'every line is either written or on disk');
  t.true(notices.some((line) => /more than 30 points waiting for InfluxDB; spilling 20 points to .*influx-spill/.test(line)));
});

test('a batch the server refuses for good is spilled at once, not retried', async (t) => {
  const http = new ScriptedHttp((n) => (n === 0 ? { ok: false, retryable: false, status: 400, message: '400 unable to parse' } : OK));
  const dir = await spillDir();
  const { writer: w, notices } = writer(http, { spill: new SpillWriter(dir) });
  w.enqueue(lines(0, 15));
  await w.drain();
  t.like(w.counts(), { written: 5, spilled: 10, retried: 0, lost: 0, failedRequests: 1 });
  t.regex(notices[0]!, /InfluxDB refused a batch of 10 points \(400 unable to parse\); spilling 10 points/);
});

test('at the end, a server that keeps failing gets finalRetryMs of retries, then the rest is spilled', async (t) => {
  const http = new ScriptedHttp(() => UNAVAILABLE);
  const dir = await spillDir();
  const { writer: w, clock, notices } = writer(http, { spill: new SpillWriter(dir), finalRetryMs: 10_000 });
  w.enqueue(lines(0, 25));
  const started = clock.nowMs();
  await w.drain();
  t.is(clock.nowMs() - started, 10_000, 'gave up exactly at the bound, in virtual time');
  t.deepEqual(clock.sleeps, [250, 500, 1000, 2000, 2000, 2000, 2000, 250]);
  t.like(w.counts(), { written: 0, spilled: 25, lost: 0, unsent: 0, pending: 0, retried: 10 });
  t.regex(notices.at(-1)!, /still failing after 10 s of retries .* spilling 25 points/);
  t.is((await listSpillFiles(join(dir, '..'))).length, 3);
});

test('without a spill writer (push) the lines given up on are counted as unsent', async (t) => {
  const http = new ScriptedHttp(() => UNAVAILABLE);
  const { writer: w } = writer(http, { finalRetryMs: 3_000, giveUpOutsideDrain: true });
  w.enqueue(lines(0, 12));
  await w.waitForRoom(0);
  t.like(w.counts(), { written: 0, unsent: 10, pending: 2, spilled: 0 }, 'the partial batch was not sealed yet');
  await w.drain();
  t.like(w.counts(), { unsent: 12, pending: 0 });
});

test('when the disk refuses a spill, the points are counted as lost and said so', async (t) => {
  const http = new ScriptedHttp(() => ({ ok: false, retryable: false, status: 404, message: '404 bucket not found' }));
  const parent = await mkdtemp(join(tmpdir(), 'llmbench-ro-'));
  await writeFile(join(parent, 'influx-spill'), 'a file where the directory should be'); // mkdir fails even as root
  const { writer: w, notices } = writer(http, { spill: new SpillWriter(join(parent, 'influx-spill')) });
  w.enqueue(lines(0, 4));
  await w.drain();
  t.like(w.counts(), { lost: 4, spilled: 0 });
  t.true(notices.some((line) => /spill to .* failed: .*; 4 points lost/.test(line)));
});
