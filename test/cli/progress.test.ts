import test from 'ava';
import { PassThrough } from 'node:stream';
import { createProgressDisplay, progressLine, type ProgressUpdate } from '../../cli/progress.js';

const update = (overrides: Partial<ProgressUpdate> = {}): ProgressUpdate => ({
  phase: 'main',
  warmup: false,
  stage: 'stage-2',
  target: 100,
  loadKind: 'closed',
  nowMs: 1_795_800_004_000,
  elapsedMs: 4000,
  totalMs: 12_000,
  requestBudget: null,
  inFlight: 97,
  live: { completed: 130, ok: 120, errors: 10, dropped: 0, rps: 31.5, outputTps: 2016, ttftP50Ms: 52.4, ttftP95Ms: 88.1, errorsByKind: { http_5xx: 7, timeout_idle: 3 } },
  ...overrides,
});

test('the CI line names stage, time, users, in flight, rates and TTFT', (t) => {
  const line = progressLine(update());
  for (const part of ['[stage-2]', '4s/12s', 'users 100', 'in flight 97', '120 ok / 10 err', '31.5 req/s', '2016 tok/s', 'TTFT p50 52 ms p95 88 ms']) {
    t.true(line.includes(part), `${part} in ${line}`);
  }
  t.regex(progressLine(update({ loadKind: 'open', target: 40 })), /target rps 40/);
});

test('without a TTY, one line every 5 s of run time', async (t) => {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (part: Buffer) => (written += part.toString()));
  const display = await createProgressDisplay('lines', stream as unknown as NodeJS.WriteStream);
  for (let elapsedMs = 0; elapsedMs <= 12_000; elapsedMs += 1000) display.update(update({ elapsedMs }));
  t.is(written.trim().split('\n').length, 3); // at 0, 5 and 10 s
});

test('quiet prints nothing', async (t) => {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (part: Buffer) => (written += part.toString()));
  const display = await createProgressDisplay('quiet', stream as unknown as NodeJS.WriteStream);
  display.update(update());
  display.done();
  t.is(written, '');
});

test('the TTY panel shows errors by kind and the progress bar', async (t) => {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let written = '';
  stream.on('data', (part: Buffer) => (written += part.toString()));
  Object.assign(stream, { isTTY: true, columns: 120, rows: 40 });
  const display = await createProgressDisplay('tty', stream);
  display.update(update());
  display.done();
  t.regex(written, /errors: http_5xx 7, timeout_idle 3/);
  t.regex(written, /█+░+ 4s\/12s/);
  t.regex(written, /in flight: 97/);
});
