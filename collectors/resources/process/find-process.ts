/**
 * `--engine-process NAME` → a pid. Engines run under many names: `llama-server`, `ollama`, `vllm serve …`
 * (a Python script, so comm is "vllm"), `python -m vllm.entrypoints.openai.api_server`, `python -m
 * sglang.launch_server`, `text-generation-launcher` (comm truncated to 15 characters). A process matches
 * when its comm is the name, or an argument is the name (as a path's last part) or a Python module under it.
 */
import { basename } from 'node:path';
import { readAllPidStats, readProcFile, type PidStat } from './procfs-process.js';

/** Linux keeps 15 characters of comm (TASK_COMM_LEN 16 with the NUL). */
const COMM_LENGTH = 15;

export function matchesProcessName(name: string, comm: string, argv: readonly string[]): boolean {
  if (comm === name.slice(0, COMM_LENGTH)) return true;
  return argv.some((arg) => basename(arg) === name || arg.startsWith(`${name}.`));
}

export interface ProcessMatch {
  /** The chosen process: the oldest match that is not a child of another match. */
  readonly pid: number;
  /** Every top-level match, oldest first. */
  readonly candidates: readonly number[];
}

/**
 * Finds the engine by name, leaving out this process and its ancestors (whose command lines may well
 * contain the name, e.g. `llmbench run --engine-process vllm`). Undefined when nothing matches.
 */
export function findProcessByName(name: string, procRoot = '/proc', self = process.pid): ProcessMatch | undefined {
  const stats = readAllPidStats(procRoot);
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const excluded = new Set<number>();
  for (let pid: number | undefined = self; pid !== undefined && pid > 0 && !excluded.has(pid); pid = byPid.get(pid)?.ppid) {
    excluded.add(pid);
  }
  const matches: PidStat[] = [];
  for (const stat of stats) {
    if (excluded.has(stat.pid)) continue;
    const cmdline = readProcFile(`${procRoot}/${stat.pid}/cmdline`) ?? '';
    const argv = cmdline.split('\0').filter((arg) => arg !== '');
    if (matchesProcessName(name, stat.comm, argv)) matches.push(stat);
  }
  const matched = new Set(matches.map((stat) => stat.pid));
  const roots = matches
    .filter((stat) => !hasMatchedAncestor(stat, byPid, matched))
    .sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  if (roots.length === 0) return undefined;
  return { pid: roots[0]!.pid, candidates: roots.map((stat) => stat.pid) };
}

function hasMatchedAncestor(stat: PidStat, byPid: ReadonlyMap<number, PidStat>, matched: ReadonlySet<number>): boolean {
  const seen = new Set<number>();
  for (let pid = stat.ppid; pid > 0 && !seen.has(pid); pid = byPid.get(pid)?.ppid ?? 0) {
    if (matched.has(pid)) return true;
    seen.add(pid);
  }
  return false;
}
