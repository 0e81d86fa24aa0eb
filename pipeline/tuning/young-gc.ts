/**
 * Young-generation GC on the thread that allocates, without V8's helper threads (process-tuning.ts says why).
 * Set at run time: node has no per-isolate GC flags, and a worker's execArgv refuses V8 options. V8 reads this
 * flag when each scavenge starts, so flipping it on a live heap is safe. It covers every thread of the process.
 * --single-threaded-gc is not used: it also changes how a marking cycle already under way is finished, and this
 * flag is set while the heap is live.
 */
import { setFlagsFromString } from 'node:v8';

export type YoungGcMode = 'serial' | 'parallel';

export function setYoungGcMode(mode: YoungGcMode): void {
  setFlagsFromString(mode === 'serial' ? '--no-parallel-scavenge' : '--parallel-scavenge');
}
