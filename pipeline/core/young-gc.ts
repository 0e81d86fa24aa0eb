/**
 * Young-generation GC on the thread that allocates, without V8's helper threads. By default V8 splits each
 * scavenge across its platform threads and the allocating thread waits for all of them; on a small machine
 * the client shares with the server under test, a helper that is not scheduled at once stretches the pause,
 * and every send or chunk due during it is stamped late. Measured on this 2-core VM at 40 req/s against the
 * simulator, 10 alternated pairs of 15 s runs: schedule_lag p99 under 5 ms in 8 of 10 runs with serial
 * scavenges against 5 of 10 with parallel ones (medians 4.4 and 4.8 ms), client CPU 5.1 against 5.3 s.
 * --single-threaded-gc (no concurrent marking or sweeping either) did as well or a little better (11 of
 * 13 runs under 5 ms) but is not used: it changes how a marking cycle already under way is finished, and this
 * flag is set while the heap is live.
 *
 * Set at run time: node has no per-isolate GC flags, and a worker's execArgv refuses V8 options. V8 reads this
 * flag when each scavenge starts, so flipping it on a live heap is safe. It covers every thread of the process.
 */
import { setFlagsFromString } from 'node:v8';

export type YoungGcMode = 'serial' | 'parallel';

export function setYoungGcMode(mode: YoungGcMode): void {
  setFlagsFromString(mode === 'serial' ? '--no-parallel-scavenge' : '--parallel-scavenge');
}
