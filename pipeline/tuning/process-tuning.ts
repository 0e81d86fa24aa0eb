/**
 * Process tuning for a client and a server that share one small machine: what llmbench changes about its own
 * threads, and why. This is the one entry point; `cli/` applies it (`llmbench run`, `llmbench sim`), and nothing
 * below `cli/` decides to. The measurements behind each choice are in bench/README.md ("Process tuning").
 *
 * The client (`llmbench run`), once its worker threads exist:
 * - **Workers up, coordinator down.** The worker threads own the sockets and take every timestamp; the
 *   coordinator (the main thread) files records, feeds sinks and prints progress, none of it timed. Records
 *   finish in bursts, and a coordinator busy with one would take the CPU from a worker reading first tokens. So
 *   each worker is raised (nice −5, where the system allows raising) and the coordinator lowered (+10). Priority
 *   only decides who waits when two threads want a core at the same instant; it adds no CPU.
 * - **Serial young-generation GC** (young-gc.ts): V8 splits a scavenge across its helper threads and the
 *   allocating thread waits for all of them; on a machine the client shares with the server, a helper that is
 *   not scheduled at once stretches the pause, and every send or chunk due in it is stamped late. With serial
 *   scavenges the helpers only do background work (compiling, concurrent marking), so they go down with the
 *   coordinator; with parallel ones a worker waits for them, so they go up with the workers.
 *
 * The server (`llmbench sim`, and bench/intake's reference server):
 * - **nice −12**, ahead of the client's workers, its V8 helpers with it (its scavenges are parallel and wait for
 *   them). A server starved by its client reads requests late, and that wait is in the client's TTFT but in none
 *   of the server's own numbers; a client starved by its server sends late, which schedule_lag_ms shows.
 * - **SCHED_BATCH** (batch-scheduling.ts): a loopback write wakes the reader on the writer's CPU and lets it
 *   preempt the writer; under SCHED_BATCH the woken server never preempts the client mid-write.
 *
 * Linux only (nice values per thread, /proc for thread names, sched_setscheduler); elsewhere nothing changes.
 */
import { batchScheduleThisProcess } from './batch-scheduling.js';
import { shiftClientThreadsNice, shiftOtherThreadsNice, shiftThreadNice, type PriorityChange } from './thread-priority.js';
import { setYoungGcMode, type YoungGcMode } from './young-gc.js';

export type { YoungGcMode } from './young-gc.js';

/** The coordinator's shift: about a tenth of a core's share when it competes with a nice-0 thread. */
export const COORDINATOR_NICE_STEP = 10;
/** Each worker's shift: about three times a nice-0 thread's share under contention. */
export const WORKER_NICE_STEP = -5;
/** The simulator's shift: ahead of the client's workers. */
export const SERVER_NICE_STEP = -12;

export interface ClientTuningOptions {
  /** Shift thread priorities (default true). Off when something timed runs on the coordinator's own thread (the demo's in-process simulator). */
  readonly priorities?: boolean;
  /** Young-generation GC of the client's threads (default 'serial'). */
  readonly youngGc?: YoungGcMode;
}

/** What the client tuning set, for run.json `client_health.tuning`. */
export type TuningReport = Record<string, number | string>;

export interface ClientTuning {
  /** Call once the worker threads exist, before the load. */
  apply(): TuningReport;
  /** After the load: the coordinator's priority back where the system allows it. */
  restore(): void;
}

export function clientTuning(options: ClientTuningOptions = {}): ClientTuning {
  const youngGc = options.youngGc ?? 'serial';
  let coordinator: PriorityChange | undefined;
  return {
    apply() {
      setYoungGcMode(youngGc);
      const report: TuningReport = { young_gc: youngGc };
      if (options.priorities === false) return report;
      const helperStep = youngGc === 'serial' ? COORDINATOR_NICE_STEP : WORKER_NICE_STEP;
      const threads = shiftClientThreadsNice({ workerStep: WORKER_NICE_STEP, helperStep });
      coordinator = shiftThreadNice(COORDINATOR_NICE_STEP);
      if (coordinator) report.coordinator_nice = coordinator.toNice;
      if (threads?.workerNice !== undefined) report.worker_nice = threads.workerNice;
      if (threads?.helperNice !== undefined) report.helper_nice = threads.helperNice;
      return report;
    },
    restore() {
      coordinator?.restore();
      coordinator = undefined;
    },
  };
}

export interface ServerTuningReport {
  readonly priority?: { readonly fromNice: number; readonly toNice: number };
  readonly helpersNice?: number;
  readonly batch?: { readonly threads: number; readonly batched: number };
}

/** Raises this server process ahead of a client on the same machine and puts it under SCHED_BATCH. */
export async function tuneServerProcess(): Promise<ServerTuningReport> {
  const priority = shiftThreadNice(SERVER_NICE_STEP);
  const helpersNice = shiftOtherThreadsNice(SERVER_NICE_STEP);
  const batch = await batchScheduleThisProcess();
  return {
    ...(priority ? { priority: { fromNice: priority.fromNice, toNice: priority.toNice } } : {}),
    ...(helpersNice !== undefined ? { helpersNice } : {}),
    ...(batch ? { batch } : {}),
  };
}

/** One line per change, for the server's stderr. */
export function describeServerTuning(report: ServerTuningReport): string[] {
  const lines: string[] = [];
  if (report.priority) {
    lines.push(`priority raised: nice ${report.priority.fromNice} → ${report.priority.toNice}${report.helpersNice !== undefined ? `, V8's helper threads to ${report.helpersNice}` : ''}`);
  }
  if (report.batch) lines.push(`scheduling: SCHED_BATCH on ${report.batch.batched} of ${report.batch.threads} threads (a woken server does not preempt the client)`);
  return lines;
}
