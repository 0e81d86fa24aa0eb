/**
 * Gives the threads that take timestamps the CPU first. The coordinator (the main thread) files records,
 * feeds sinks, samples resources and prints progress; none of that is timed. But records finish in bursts
 * (1 000 closed-loop users that started together also finish together), and on a small machine where the
 * client and the server share cores, a coordinator busy with such a burst takes CPU from the worker reading
 * first tokens. The workers, for their part, lose a few milliseconds whenever another process holds both
 * cores at the instant a send falls due or a token arrives. So the coordinator runs at a lower priority and
 * each worker at a higher one where the system allows it (raising needs CAP_SYS_NICE or RLIMIT_NICE; when
 * it is refused the worker stays where it was). Priority only decides who waits when two threads want a
 * core at the same instant; it adds no CPU.
 *
 * Linux keeps the nice value per thread: setpriority(2) on a thread id acts on that thread alone, and
 * os.setPriority(0, …) names the calling thread. Elsewhere a nice value is per process, so nothing is
 * changed there.
 *
 * In the client, "the workers" means every thread of the process but the main one, V8's own helpers
 * included: a worker's scavenge hands work to V8's platform threads and waits for them, so a raised worker
 * whose GC helpers stayed at nice 0 waited behind whatever else held the cores (at 1 000 req/s on this
 * 2-core machine its schedule lag p99 was ~270 ms that way, ~100 ms with the helpers raised too).
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The coordinator's shift: about a tenth of a core's share when it competes with a nice-0 thread. */
export const COORDINATOR_NICE_STEP = 10;
/** Each worker's shift: about three times a nice-0 thread's share under contention. */
export const WORKER_NICE_STEP = -5;
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

export interface ThreadsChange {
  /** Threads whose nice value changed. */
  readonly threads: number;
  /** Their nice value now (the highest, i.e. least favoured, of them). */
  readonly toNice: number;
}

/**
 * Shifts every thread of this process by `step`, the main thread (thread id = process id) only when
 * `includeMain`. Threads created later inherit their creator's value. Returns undefined when no thread
 * changed (not Linux, no /proc, or the system refused every change).
 */
export function shiftProcessThreadsNice(
  step: number,
  options: { readonly includeMain: boolean },
  platform: NodeJS.Platform = process.platform,
): ThreadsChange | undefined {
  if (platform !== 'linux') return undefined;
  const threadIds = threadIdsOfThisProcess();
  if (!threadIds) return undefined;
  let threads = 0;
  let toNice = Number.NEGATIVE_INFINITY;
  for (const threadId of threadIds) {
    if (threadId === process.pid && !options.includeMain) continue;
    const shifted = shiftOne(threadId, step);
    if (!shifted) continue; // it keeps its priority
    threads++;
    toNice = Math.max(toNice, shifted.toNice);
  }
  return threads > 0 ? { threads, toNice } : undefined;
}

/** Linux thread ids of this process (from /proc/self/task); undefined where /proc cannot be read. */
export function threadIdsOfThisProcess(): number[] | undefined {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return undefined;
  }
}
