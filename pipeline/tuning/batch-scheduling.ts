/**
 * SCHED_BATCH for a server that shares the machine with the client measuring it (process-tuning.ts says why).
 * A SCHED_BATCH thread never preempts on wakeup; it still gets its fair share by nice value, and runs at once on
 * an idle core. Switching to it needs no privilege (sched(7)). libc is reached through koffi (already a
 * dependency, for NVML). Threads created later inherit the policy from the thread that creates them.
 */
import { threadIdsOfThisProcess } from './thread-priority.js';

/** From <sched.h>. */
const SCHED_BATCH = 3;

export interface BatchScheduling {
  /** Threads of this process when it was applied. */
  readonly threads: number;
  /** Of those, the ones now under SCHED_BATCH. */
  readonly batched: number;
}

type SetScheduler = (threadId: number, policy: number, param: number[]) => number;

/**
 * Puts every thread of this process under SCHED_BATCH. Undefined where that cannot be done (not Linux, no
 * /proc, no glibc for koffi to load); the process then runs as it was.
 */
export async function batchScheduleThisProcess(platform: NodeJS.Platform = process.platform): Promise<BatchScheduling | undefined> {
  if (platform !== 'linux') return undefined;
  const threadIds = threadIdsOfThisProcess();
  if (!threadIds) return undefined;
  const setScheduler = await loadSetScheduler();
  if (!setScheduler) return undefined;
  // struct sched_param is a single int (the priority, 0 for non-real-time policies).
  const batched = threadIds.filter((threadId) => setScheduler(threadId, SCHED_BATCH, [0]) === 0).length;
  return { threads: threadIds.length, batched };
}

async function loadSetScheduler(): Promise<SetScheduler | undefined> {
  try {
    const { default: koffi } = await import('koffi');
    const libc = koffi.load('libc.so.6');
    return libc.func('int sched_setscheduler(int pid, int policy, _In_ int *param)') as SetScheduler;
  } catch {
    return undefined;
  }
}
