/**
 * Per-process readings from /proc/<pid>/stat and /proc/<pid>/status (proc(5)). Pure parsers plus the small
 * reads around them; Linux only (elsewhere the engine process cannot be sampled and the monitor says so).
 * Reads are synchronous: /proc is generated in memory, and a synchronous read costs a tenth of the CPU of a
 * threadpool round trip (see host-sampler.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';

/**
 * USER_HZ, the unit of utime/stime. The kernel fixes it at 100 for userspace on every mainstream
 * architecture (x86, arm64, ppc, s390), independent of CONFIG_HZ; sysconf(_SC_CLK_TCK) would say the same.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface PidStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** Start time after boot, in clock ticks (orders processes by age). */
  readonly startTicks: number;
}

/** comm may contain spaces and parentheses, so it is everything between the first "(" and the last ")". */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // After ") ": state(3) ppid(4) … utime(14) stime(15) … starttime(22); index 0 here is field 3.
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  const stat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    cpuTicks: field(14) + field(15),
    startTicks: field(22),
  };
  return Number.isFinite(stat.cpuTicks) ? stat : undefined;
}

/** VmRSS from /proc/<pid>/status, in bytes (kernel threads have none). */
export function parseStatusRssBytes(text: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s*kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** A /proc file's text, or undefined when the process exited between being listed and being read (a normal race). */
export function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw error;
  }
}

export function readPidStat(pid: number, procRoot = '/proc'): PidStat | undefined {
  const text = readProcFile(`${procRoot}/${pid}/stat`);
  return text === undefined ? undefined : parsePidStat(text);
}

export function readRssBytes(pid: number, procRoot = '/proc'): number | undefined {
  const text = readProcFile(`${procRoot}/${pid}/status`);
  return text === undefined ? undefined : parseStatusRssBytes(text);
}

/** Every process's stat, for walking the tree. Processes that exit mid-scan are skipped. */
export function readAllPidStats(procRoot = '/proc'): PidStat[] {
  return readdirSync(procRoot)
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readPidStat(Number(name), procRoot))
    .filter((stat): stat is PidStat => stat !== undefined);
}

/**
 * The same scan without blocking: on a host with thousands of processes the synchronous one would hold the
 * event loop for tens of milliseconds, so periodic rescans use this one.
 */
export async function scanAllPidStats(procRoot = '/proc'): Promise<PidStat[]> {
  const names = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  const texts = await Promise.all(
    names.map((name) =>
      readFile(`${procRoot}/${name}/stat`, 'utf8').then(
        (text) => text,
        () => undefined, // exited since the listing
      ),
    ),
  );
  return texts.map((text) => (text === undefined ? undefined : parsePidStat(text))).filter((stat): stat is PidStat => stat !== undefined);
}

/** `root` and all its descendants, from one scan of the process table. */
export function processTree(root: number, stats: readonly PidStat[]): number[] {
  const children = new Map<number, number[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid);
    if (list) list.push(stat.pid);
    else children.set(stat.ppid, [stat.pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}
