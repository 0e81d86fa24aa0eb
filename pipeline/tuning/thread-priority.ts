/**
 * Per-thread nice values (Linux keeps one per thread: setpriority(2) on a thread id acts on that thread alone,
 * and os.setPriority(0, …) names the calling thread). process-tuning.ts says which thread gets what and why.
 * Workers are told apart from V8's and libuv's helpers by name: each worker names its own thread at module
 * load (nameThisThread), and the coordinator reads the names from /proc. Elsewhere than Linux a nice value is
 * per process, so nothing is changed there.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The name each worker thread gives itself (15 bytes at most: the kernel's limit for a thread name). */
export const WORKER_THREAD_NAME = 'llmbench-worker';
const NICE_MIN = -20;
const NICE_MAX = 19;

export interface PriorityChange {
  readonly fromNice: number;
  readonly toNice: number;
  /** Puts the old nice value back where the system allows it. */
  restore(): void;
}

/**
 * Shifts the calling thread's nice value by `step` (positive = lower priority). Returns what changed, or
 * undefined when nothing did (not Linux, already at the limit, or the system refused).
 */
export function shiftThreadNice(step: number, platform: NodeJS.Platform = process.platform): PriorityChange | undefined {
  if (platform !== 'linux') return undefined;
  // Thread id 0 names the calling thread.
  const shifted = shiftOne(0, step);
  if (!shifted || shifted.toNice === shifted.fromNice) return undefined;
  return {
    ...shifted,
    restore() {
      try {
        setPriority(0, shifted.fromNice);
      } catch {
        // Without CAP_SYS_NICE a thread may not raise its priority again; the process ends soon anyway.
      }
    },
  };
}

/** One thread's shift, clamped to the nice range; undefined when the system refused it or the thread is gone. */
function shiftOne(threadId: number, step: number): { fromNice: number; toNice: number } | undefined {
  try {
    const fromNice = getPriority(threadId);
    const toNice = Math.max(NICE_MIN, Math.min(NICE_MAX, fromNice + step));
    if (toNice !== fromNice) setPriority(threadId, toNice);
    return { fromNice, toNice };
  } catch {
    // EACCES: raising priority without the privilege; ESRCH: the thread ended; or a sandbox forbids it.
    return undefined;
  }
}

export interface ClientThreadsChange {
  /** The workers' nice value now (the highest of them); undefined when none was found or none changed. */
  readonly workerNice?: number;
  /** V8's and libuv's helper threads' nice value now (the highest of them); undefined when none changed. */
  readonly helperNice?: number;
}

/**
 * Shifts the threads of this process other than the main one: the named workers by `workerStep`, the rest
 * (V8's and libuv's helpers) by `helperStep`. Where no thread carries the workers' name (they could not name
 * themselves), workers and helpers cannot be told apart, and every one of them gets `workerStep`: a helper
 * raised by mistake costs less than a worker lowered by mistake. Threads created later inherit their
 * creator's value. Returns undefined off Linux or without /proc.
 */
export function shiftClientThreadsNice(
  steps: { readonly workerStep: number; readonly helperStep: number },
  platform: NodeJS.Platform = process.platform,
): ClientThreadsChange | undefined {
  if (platform !== 'linux') return undefined;
  const threadIds = threadIdsOfThisProcess()?.filter((threadId) => threadId !== process.pid);
  if (!threadIds) return undefined;
  const named = new Set(threadIds.filter((threadId) => threadName(threadId) === WORKER_THREAD_NAME));
  // Without a named worker every thread counts as one (see above).
  const workers = named.size > 0 ? [...named] : threadIds;
  const helpers = threadIds.filter((threadId) => named.size > 0 && !named.has(threadId));
  const workerNice = shiftEach(workers, steps.workerStep);
  const helperNice = shiftEach(helpers, steps.helperStep);
  return { ...(workerNice !== undefined ? { workerNice } : {}), ...(helperNice !== undefined ? { helperNice } : {}) };
}

/**
 * Shifts every thread of this process but the main one by `step` (`llmbench sim` raises its V8 helpers with its
 * JS thread, so its parallel scavenges do not wait for helpers that the client's workers hold off a core).
 * Returns their nice value now (the highest of them), or undefined where none changed.
 */
export function shiftOtherThreadsNice(step: number, platform: NodeJS.Platform = process.platform): number | undefined {
  if (platform !== 'linux') return undefined;
  return shiftEach((threadIdsOfThisProcess() ?? []).filter((threadId) => threadId !== process.pid), step);
}

/** Shifts each thread by `step`; their nice value now (the highest of them), or undefined where none changed. */
function shiftEach(threadIds: readonly number[], step: number): number | undefined {
  let toNice: number | undefined;
  for (const threadId of threadIds) {
    const shifted = shiftOne(threadId, step);
    // Refused, gone, or already at the limit: it keeps its priority.
    if (shifted && shifted.toNice !== shifted.fromNice) toNice = Math.max(toNice ?? shifted.toNice, shifted.toNice);
  }
  return toNice;
}

/** Names the calling thread (what `top -H` and /proc show); false where that cannot be done. */
export function nameThisThread(name: string, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  try {
    writeFileSync('/proc/thread-self/comm', name);
    return true;
  } catch {
    return false;
  }
}

function threadName(threadId: number): string | undefined {
  try {
    return readFileSync(`/proc/self/task/${threadId}/comm`, 'utf8').trim();
  } catch {
    return undefined; // the thread ended
  }
}

/** Linux thread ids of this process (from /proc/self/task); undefined where /proc cannot be read. */
export function threadIdsOfThisProcess(): number[] | undefined {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return undefined;
  }
}
