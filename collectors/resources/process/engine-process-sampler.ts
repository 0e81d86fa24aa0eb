/**
 * The engine's own process when it runs on this machine (`process`, role=engine): CPU and RSS of the process
 * and its descendants, because engines split work over processes (vLLM's EngineCore and workers, Ollama's
 * runner under `ollama serve`). The tree is rescanned every few samples, not every second, to keep the cost
 * at a few file reads per process per tick.
 */
import type { Point } from '../../../pipeline/core/point.js';
import { SamplerUnavailable, type Sampler, type SampleTick } from '../sampler.js';
import { findProcessByName } from './find-process.js';
import { CLOCK_TICKS_PER_SECOND, processTree, readAllPidStats, readPidStat, readRssBytes, scanAllPidStats } from './procfs-process.js';

const TREE_RESCAN_EVERY_TICKS = 10;

export type EngineProcessTarget = { readonly pid: number } | { readonly name: string };

export async function openEngineProcessSampler(
  target: EngineProcessTarget,
  tags: Readonly<Record<string, string>>,
  onNotice: (line: string) => void,
  procRoot = '/proc',
): Promise<EngineProcessSampler> {
  if (process.platform !== 'linux' && procRoot === '/proc') {
    throw new SamplerUnavailable(`reading another process needs Linux /proc (this is ${process.platform})`);
  }
  let pid: number;
  if ('pid' in target) {
    if (!readPidStat(target.pid, procRoot)) throw new SamplerUnavailable(`no process with pid ${target.pid}`);
    pid = target.pid;
  } else {
    const match = findProcessByName(target.name, procRoot);
    if (!match) throw new SamplerUnavailable(`no process named "${target.name}" is running`);
    if (match.candidates.length > 1) {
      onNotice(
        `Engine process: ${match.candidates.length} processes match "${target.name}" (pids ${match.candidates.join(', ')}); ` +
          `using ${match.pid}, the oldest, and its children`,
      );
    }
    pid = match.pid;
  }
  return new EngineProcessSampler(pid, tags, onNotice, procRoot);
}

export class EngineProcessSampler implements Sampler {
  readonly name = 'process';
  readonly source = 'procfs';
  #tree: number[] = [];
  #rescanning = false;
  #previous: { timeMs: number; ticksByPid: Map<number, number> } | undefined;
  #gone = false;

  constructor(
    readonly pid: number,
    private readonly tags: Readonly<Record<string, string>>,
    private readonly onNotice: (line: string) => void,
    private readonly procRoot = '/proc',
  ) {}

  sample(tick: SampleTick): readonly Point[] {
    if (this.#gone) return [];
    if (this.#tree.length === 0) this.#tree = processTree(this.pid, readAllPidStats(this.procRoot));
    else if (tick.index % TREE_RESCAN_EVERY_TICKS === 0) this.#rescan();
    const readings = this.#tree.map((pid) => ({ pid, stat: readPidStat(pid, this.procRoot), rss: readRssBytes(pid, this.procRoot) }));
    const root = readings.find((reading) => reading.pid === this.pid);
    if (!root?.stat) {
      this.#gone = true;
      this.onNotice(`Engine process: pid ${this.pid} exited; engine process sampling stopped`);
      return [];
    }
    const alive = readings.filter((reading) => reading.stat !== undefined);
    const ticksByPid = new Map(alive.map((reading) => [reading.pid, reading.stat!.cpuTicks]));
    const fields: Record<string, number> = {
      pid: this.pid,
      processes: alive.length,
      rss_bytes: alive.reduce((sum, reading) => sum + (reading.rss ?? 0), 0),
    };
    const before = this.#previous;
    this.#previous = { timeMs: tick.timeMs, ticksByPid };
    if (before && tick.timeMs > before.timeMs) {
      // Only processes seen both times: a child that just started has no interval to measure yet.
      let ticks = 0;
      for (const [pid, now] of ticksByPid) {
        const then = before.ticksByPid.get(pid);
        if (then !== undefined && now >= then) ticks += now - then;
      }
      fields.cpu_pct = ((ticks / CLOCK_TICKS_PER_SECOND) * 1000 * 100) / (tick.timeMs - before.timeMs);
    }
    return [{ measurement: 'process', tags: { ...this.tags, role: 'engine' }, fields, time_ms: tick.timeMs }];
  }

  /** Picks up children started (or gone) since the last scan, in the background; later samples use it. */
  #rescan(): void {
    if (this.#rescanning) return;
    this.#rescanning = true;
    scanAllPidStats(this.procRoot)
      .then((stats) => (this.#tree = processTree(this.pid, stats)))
      .catch((error: unknown) => this.onNotice(`Engine process: could not rescan the process table: ${(error as Error).message}`))
      .finally(() => (this.#rescanning = false));
  }
}
