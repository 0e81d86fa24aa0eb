/**
 * GPU sampling through ONE long-lived `nvidia-smi --query-gpu=… -lms <interval>` process (DESIGN §7): a
 * one-shot call costs ~27 ms of CPU each, the long-lived one 0.2 % of a core (fixtures/nvidia-smi/nvsmi_cost.txt).
 * nvidia-smi keeps its own cadence, so lines are stamped when they arrive and buffered; each monitor tick
 * drains the buffer. Every line nvidia-smi prints becomes exactly one point, none is averaged or dropped.
 * No user string reaches a shell: the executable is spawned with an argv array.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Clock } from '../../../pipeline/core/clock.js';
import type { Point } from '../../../pipeline/core/point.js';
import { SamplerUnavailable, type Sampler } from '../sampler.js';
import { gpuPoint } from './gpu-reading.js';
import { NVIDIA_SMI_QUERY_FIELDS, parseQueryLine } from './nvidia-smi-csv.js';

export interface NvidiaSmiSamplerOptions {
  readonly executable: string;
  readonly intervalMs: number;
  /** run_id and host. */
  readonly tags: Readonly<Record<string, string>>;
  readonly clock: Clock;
  readonly onNotice: (line: string) => void;
  /** How long start waits for the first line before carrying on without it. */
  readonly firstLineTimeoutMs?: number;
}

/** Enough for minutes of 8 GPUs if ticks stall; beyond it the oldest lines go (and are counted). */
const MAX_BUFFERED_POINTS = 10_000;

export function nvidiaSmiArgs(intervalMs: number): string[] {
  return [
    `--query-gpu=${NVIDIA_SMI_QUERY_FIELDS.join(',')}`,
    '--format=csv,noheader,nounits',
    '-lms',
    String(Math.round(intervalMs)),
  ];
}

export async function startNvidiaSmiSampler(options: NvidiaSmiSamplerOptions): Promise<NvidiaSmiSampler> {
  const child = spawn(options.executable, nvidiaSmiArgs(options.intervalMs), { stdio: ['ignore', 'pipe', 'pipe'] });
  const sampler = new NvidiaSmiSampler(child, options);
  await sampler.started(options.firstLineTimeoutMs ?? 5000);
  return sampler;
}

export class NvidiaSmiSampler implements Sampler {
  readonly name = 'gpu';
  readonly source = 'nvidia-smi';
  /** Lines that did not parse as a GPU line (driver messages); counted, not fatal. */
  unparsedLines = 0;
  droppedPoints = 0;
  #pending: Point[] = [];
  #groupTimeMs = 0;
  #lastIndex = Number.POSITIVE_INFINITY;
  /** Last lines that were not GPU lines, from stderr and stdout: the real tool prints driver errors on stdout. */
  #messageTail: string[] = [];
  #running = false;
  #stopping = false;
  #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #firstLine: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    private readonly options: NvidiaSmiSamplerOptions,
  ) {
    let sawLine: () => void = () => undefined;
    this.#firstLine = new Promise<void>((resolve) => (sawLine = resolve));
    this.#exited = new Promise((resolve, reject) => {
      child.once('error', reject);
      // 'close', not 'exit': it comes after stdout and stderr are drained, so the last lines and the error text are in.
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.#onLine(line)) sawLine();
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.#keepMessage(line));
    this.#exited.then(
      ({ code, signal }) => {
        // Before started() resolves, an exit is started()'s to report; after stop(), it is expected.
        if (this.#running && !this.#stopping) {
          options.onNotice(`GPU: nvidia-smi exited (${describeExit(code, signal)}${this.#messageSuffix()}); GPU sampling stopped`);
        }
      },
      () => undefined, // spawn errors are reported by started()
    );
  }

  /** Resolves at the first GPU line; throws SamplerUnavailable if nvidia-smi cannot run or exits first. */
  async started(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const first = await Promise.race([this.#firstLine.then(() => 'line' as const), this.#exited, timedOut]);
      if (first === 'timeout') {
        this.options.onNotice(`GPU: nvidia-smi printed nothing within ${timeoutMs} ms; still waiting for it`);
        this.#running = true;
      } else if (first === 'line') {
        this.#running = true;
      } else {
        this.#stopping = true;
        throw new SamplerUnavailable(`nvidia-smi exited (${describeExit(first.code, first.signal)}${this.#messageSuffix()})`);
      }
    } catch (error) {
      if (error instanceof SamplerUnavailable) throw error;
      this.#stopping = true;
      throw new SamplerUnavailable(`cannot run ${this.options.executable}: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  sample(): readonly Point[] {
    const points = this.#pending;
    this.#pending = [];
    return points;
  }

  flush(): readonly Point[] {
    return this.sample();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    try {
      await this.#exited;
    } catch {
      // A spawn error was already reported by started(); there is no process left to wait for.
      return;
    } finally {
      clearTimeout(killTimer);
    }
  }

  /** True when the line was a GPU line. Lines of one interval come in index order; a lower index starts the next. */
  #onLine(line: string): boolean {
    if (line.trim() === '') return false;
    const reading = parseQueryLine(line);
    if (!reading) {
      this.unparsedLines++;
      this.#keepMessage(line);
      return false;
    }
    if (reading.index <= this.#lastIndex) this.#groupTimeMs = this.options.clock.nowMs();
    this.#lastIndex = reading.index;
    if (this.#pending.length >= MAX_BUFFERED_POINTS) {
      this.#pending.shift();
      this.droppedPoints++;
    }
    this.#pending.push(gpuPoint(reading, this.options.tags, this.#groupTimeMs));
    return true;
  }

  #keepMessage(line: string): void {
    if (line.trim() !== '') this.#messageTail = [...this.#messageTail.slice(-2), line.trim()];
  }

  #messageSuffix(): string {
    return this.#messageTail.length > 0 ? `: ${this.#messageTail.join(' / ')}` : '';
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}
