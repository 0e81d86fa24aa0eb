import test, { type ExecutionContext } from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { NICE_FIELD, statFields } from '../../helpers/proc-stat.js';
import { COORDINATOR_NICE_STEP } from '../../../pipeline/tuning/process-tuning.js';
import { nameThisThread, shiftClientThreadsNice, shiftThreadNice, WORKER_THREAD_NAME } from '../../../pipeline/tuning/thread-priority.js';

// Serial: these tests change nice values of threads across the whole process (one shifts every thread but
// the main one), so run side by side they would change each other's worker threads.

/**
 * A worker thread that answers every message with its own nice value; terminated when the test ends. Named as
 * the load workers name themselves when `asLoadWorker`.
 */
function niceReportingWorker(t: ExecutionContext, asLoadWorker = false): Worker {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads'); const { getPriority } = require('node:os');
     if (workerData.name) require('node:fs').writeFileSync('/proc/thread-self/comm', workerData.name);
     parentPort.on('message', () => parentPort.postMessage(getPriority(0)));`,
    { eval: true, workerData: { name: asLoadWorker ? WORKER_THREAD_NAME : undefined } },
  );
  t.teardown(() => worker.terminate());
  return worker;
}

/** A thread started before the change reports its own nice value: the change must not reach it. */
function threadNice(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once('message', (nice: number) => resolve(nice));
    worker.once('error', reject);
    worker.postMessage('nice?');
  });
}

test.serial('off Linux nothing changes (a nice value there is per process and would shift the workers too)', (t) => {
  const before = getPriority(0);
  t.is(shiftThreadNice(COORDINATOR_NICE_STEP, 'darwin'), undefined);
  t.is(getPriority(0), before);
});

test.serial('on Linux only the calling thread is lowered; a thread started earlier keeps its priority', async (t) => {
  if (process.platform !== 'linux') return t.pass('per-thread nice values are Linux behaviour');
  const worker = niceReportingWorker(t);
  const before = getPriority(0);
  t.is(await threadNice(worker), before);

  const change = shiftThreadNice(COORDINATOR_NICE_STEP);
  const expected = Math.min(19, before + COORDINATOR_NICE_STEP);
  t.is(getPriority(0), expected);
  if (expected !== before) t.deepEqual([change?.fromNice, change?.toNice], [before, expected]);
  t.is(await threadNice(worker), before, 'the worker thread kept its nice value');

  change?.restore();
  // Raising priority back needs CAP_SYS_NICE (root in CI); without it the thread stays lowered.
  if (process.getuid?.() === 0) t.is(getPriority(0), before);
});

test.serial('raising priority is refused without the privilege and then changes nothing', (t) => {
  if (process.platform !== 'linux') return t.pass('Linux behaviour');
  const before = getPriority(0);
  const change = shiftThreadNice(-1);
  if (process.getuid?.() === 0) {
    t.is(change?.toNice, Math.max(-20, before - 1));
    change?.restore();
    t.is(getPriority(0), before);
  } else {
    // Unprivileged: allowed only within RLIMIT_NICE; either it worked exactly or nothing changed.
    t.true(change === undefined ? getPriority(0) === before : getPriority(0) === before - 1);
  }
});

/** Threads of this process that carry the load workers' name. */
function namedThreadCount(): number {
  return readdirSync('/proc/self/task').filter((id) => {
    try {
      return readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim() === WORKER_THREAD_NAME;
    } catch {
      return false; // the thread ended
    }
  }).length;
}

/** A thread's nice value from /proc. */
function niceOfThread(threadId: number): number {
  return Number(statFields(`/proc/self/task/${threadId}/stat`)[NICE_FIELD]);
}

test.serial('named load workers get the worker step, every other thread but the main one the helper step', async (t) => {
  if (process.platform !== 'linux') return t.pass('per-thread nice values are Linux behaviour');
  const loadWorker = niceReportingWorker(t, true);
  const otherWorker = niceReportingWorker(t);
  const loadBefore = await threadNice(loadWorker);
  const otherBefore = await threadNice(otherWorker);
  const mainBefore = niceOfThread(process.pid);
  // Lowering is allowed to anyone, so this runs unprivileged too: both steps lower, by different amounts.
  const change = shiftClientThreadsNice({ workerStep: 1, helperStep: 3 });
  t.is(await threadNice(loadWorker), Math.min(19, loadBefore + 1));
  t.is(await threadNice(otherWorker), Math.min(19, otherBefore + 3), 'an unnamed thread counts as a helper');
  t.is(change?.workerNice, Math.min(19, loadBefore + 1));
  t.true(change!.helperNice! >= Math.min(19, otherBefore + 3), 'V8\'s helpers and the unnamed worker');
  t.is(niceOfThread(process.pid), mainBefore, 'the main thread is left alone');
  if (process.getuid?.() === 0) shiftClientThreadsNice({ workerStep: -1, helperStep: -3 });
});

test.serial('where no worker could name itself, every thread but the main one gets the worker step', async (t) => {
  if (process.platform !== 'linux') return t.pass('per-thread nice values are Linux behaviour');
  // A named worker of an earlier test may still be exiting; this test needs none left.
  for (let tries = 0; tries < 100 && namedThreadCount() > 0; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(namedThreadCount(), 0);
  const unnamed = niceReportingWorker(t);
  const before = await threadNice(unnamed);
  const mainBefore = niceOfThread(process.pid);
  const change = shiftClientThreadsNice({ workerStep: 1, helperStep: 3 });
  t.is(await threadNice(unnamed), Math.min(19, before + 1), 'not lowered as a helper');
  t.is(change?.helperNice, undefined);
  t.is(niceOfThread(process.pid), mainBefore, 'the main thread is left alone');
  if (process.getuid?.() === 0) shiftClientThreadsNice({ workerStep: -1, helperStep: -3 });
});

test.serial('a thread can name itself, as the load workers do', async (t) => {
  if (process.platform !== 'linux') return t.pass('thread names in /proc are Linux behaviour');
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.once('message', (path) => import(path).then((m) => parentPort.postMessage([m.nameThisThread('llmbench-test'), require('node:fs').readFileSync('/proc/thread-self/comm', 'utf8').trim()])));`,
    { eval: true },
  );
  t.teardown(() => worker.terminate());
  const answer = new Promise<[boolean, string]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  worker.postMessage(new URL('../../../dist/pipeline/tuning/thread-priority.js', import.meta.url).href);
  t.deepEqual(await answer, [true, 'llmbench-test']);
  t.false(nameThisThread('x', 'darwin'));
});

test.serial('off Linux no thread is touched', (t) => {
  t.is(shiftClientThreadsNice({ workerStep: 5, helperStep: 5 }, 'darwin'), undefined);
});
