/**
 * Picks the GPU source for a `--gpu` mode and says, in one line, which one it uses or why there is none.
 * `auto` tries NVML, then nvidia-smi; a missing driver or tool never stops the run.
 */
import type { Clock } from '../../../pipeline/core/clock.js';
import { SamplerUnavailable, oneLine, type Sampler } from '../sampler.js';
import { DcgmSampler } from './dcgm-sampler.js';
import { NVIDIA_SMI_FALLBACK_DIRS, findNvidiaSmi } from './find-nvidia-smi.js';
import type { GpuMode } from './gpu-mode.js';
import { openNvmlSampler } from './nvml-sampler.js';
import { startNvidiaSmiSampler } from './nvidia-smi-sampler.js';

export interface GpuSamplerSetup {
  readonly mode: GpuMode;
  readonly tags: Readonly<Record<string, string>>;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly onNotice: (line: string) => void;
  /** Test seams and overrides; default to the real library, PATH and standard directories. */
  readonly nvmlLibraryPath?: string;
  readonly nvidiaSmiPath?: string;
  readonly pathEnv?: string;
  readonly nvidiaSmiFallbackDirs?: readonly string[];
  readonly scrapeTimeoutMs: number;
}

type Attempt = { sampler: Sampler; detail: string } | { failure: string; missing: boolean };

export async function openGpuSampler(setup: GpuSamplerSetup): Promise<Sampler | undefined> {
  const { mode, onNotice } = setup;
  switch (mode.kind) {
    case 'off':
      return undefined;
    case 'prometheus':
      return openPrometheus(setup, mode.url);
    case 'nvml':
    case 'nvidia-smi': {
      const attempt = mode.kind === 'nvml' ? tryNvml(setup) : await tryNvidiaSmi(setup);
      if ('sampler' in attempt) {
        onNotice(`GPU: ${attempt.detail}`);
        return attempt.sampler;
      }
      onNotice(`GPU: ${attempt.failure}; GPU sampling off`);
      return undefined;
    }
    case 'auto': {
      const nvml = tryNvml(setup);
      if ('sampler' in nvml) {
        onNotice(`GPU: ${nvml.detail}`);
        return nvml.sampler;
      }
      const smi = await tryNvidiaSmi(setup);
      if ('sampler' in smi) {
        onNotice(`GPU: ${smi.detail} (${nvml.failure})`);
        return smi.sampler;
      }
      onNotice(
        nvml.missing && smi.missing
          ? 'GPU: no NVML or nvidia-smi found; GPU sampling off'
          : `GPU: ${nvml.failure}; ${smi.failure}; GPU sampling off`,
      );
      return undefined;
    }
  }
}

function tryNvml(setup: GpuSamplerSetup): Attempt {
  try {
    const sampler = openNvmlSampler(setup.tags, setup.nvmlLibraryPath);
    if (sampler.gpuCount === 0) {
      sampler.stop();
      return { failure: 'NVML found no GPUs', missing: true };
    }
    return { sampler, detail: `sampling ${plural(sampler.gpuCount, 'GPU')} through NVML` };
  } catch (error) {
    const failure = error instanceof SamplerUnavailable ? error.message : `NVML failed: ${oneLine(error)}`;
    return { failure, missing: /cannot open shared object|not found|No such file/i.test(failure) };
  }
}

async function tryNvidiaSmi(setup: GpuSamplerSetup): Promise<Attempt> {
  const fallbackDirs = setup.nvidiaSmiFallbackDirs ?? NVIDIA_SMI_FALLBACK_DIRS;
  const executable = setup.nvidiaSmiPath ?? (await findNvidiaSmi(setup.pathEnv ?? process.env.PATH, fallbackDirs));
  if (!executable) {
    return { failure: `nvidia-smi not found (looked on PATH and in ${fallbackDirs.join(', ')})`, missing: true };
  }
  try {
    const sampler = await startNvidiaSmiSampler({
      executable,
      intervalMs: setup.intervalMs,
      tags: setup.tags,
      clock: setup.clock,
      onNotice: setup.onNotice,
    });
    return { sampler, detail: `sampling through ${executable} -lms ${Math.round(setup.intervalMs)}` };
  } catch (error) {
    return { failure: error instanceof SamplerUnavailable ? error.message : oneLine(error), missing: false };
  }
}

async function openPrometheus(setup: GpuSamplerSetup, url: string): Promise<Sampler> {
  const sampler = new DcgmSampler(url, setup.scrapeTimeoutMs, setup.tags);
  try {
    const count = await sampler.probe();
    setup.onNotice(`GPU: sampling ${plural(count, 'GPU')} from ${url}`);
  } catch (error) {
    // Kept: the exporter may come up later; the monitor retries each interval and counts the failures.
    setup.onNotice(`GPU: ${oneLine(error)}; retrying each interval`);
    sampler.failingSinceStart = true;
  }
  return sampler;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
