/**
 * The shape every resource sampler shares. The monitor calls `sample` once per tick and never waits for it
 * before the next tick: a sampler still busy with the previous tick is skipped (and counted), so a slow
 * scrape or a hung Docker socket cannot delay the others or the load.
 */
import type { Point } from '../../pipeline/core/point.js';

export interface SampleTick {
  /** k in origin + k·interval. */
  readonly index: number;
  /** When the tick fired (epoch ms); the timestamp of pull samples taken at this tick. */
  readonly timeMs: number;
  /** Aborted when the monitor stops; samplers doing I/O pass it on. */
  readonly signal: AbortSignal;
}

export interface Sampler {
  /** The measurement family it feeds, as named in notices and the summary ('gpu', 'host', …). */
  readonly name: string;
  /** Which implementation reads it ('nvml', 'nvidia-smi', 'procfs', 'docker', …). */
  readonly source: string;
  /** True when opening it already told the user it is failing (so the first failed tick says nothing more). */
  readonly failingSinceStart?: boolean;
  sample(tick: SampleTick): Promise<readonly Point[]> | readonly Point[];
  /** Points still buffered at stop (push-style samplers such as nvidia-smi). */
  flush?(): readonly Point[];
  /** Releases processes, sockets and library handles. Must not throw. */
  stop?(): Promise<void> | void;
}

/** A sampler could not start; `message` is the one line the user sees (after the sampler's label). */
export class SamplerUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SamplerUnavailable';
  }
}

/** The first line of an error's message, for one-line notices. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const first = text.split('\n')[0]!.trim();
  return typeof code === 'string' && !first.includes(code) ? `${first} (${code})` : first;
}
