/**
 * What `createMonitor` takes, and its validation: every problem names the option and its CLI flag, and all
 * of them are reported at once (a UsageError, exit code 2).
 */
import os from 'node:os';
import { systemClock, type Clock } from '../../pipeline/core/clock.js';
import { ENGINE_KINDS, type EngineKind } from '../../pipeline/core/engine.js';
import { UsageError } from '../../pipeline/core/errors.js';
import { parseGpuMode, type GpuMode } from './gpu/gpu-mode.js';
import type { HostSource } from './host/host-sampler.js';
import { DEFAULT_EVENT_LOOP_RESOLUTION_MS } from './process/client-process-sampler.js';
import type { EngineProcessTarget } from './process/engine-process-sampler.js';

export interface MonitorOptions {
  readonly runId: string;
  /** The `host` tag; default os.hostname(). */
  readonly host?: string;
  /** Sampling interval (`--monitor-interval`, `--interval`); default 1000 ms. */
  readonly intervalMs?: number;
  /** Ticks fall on originMs + k·intervalMs; pass the run's start so samples share its 1 s grid. Default: start() time. */
  readonly originMs?: number;
  /** `--gpu auto|nvml|nvidia-smi|off|URL`; default auto. */
  readonly gpu?: GpuMode | string;
  /** The engine kind (chooses the /metrics preset; `ollama` has none). */
  readonly engine?: EngineKind;
  /** The engine's base URL (for `--server-metrics auto`). */
  readonly engineBaseUrl?: string;
  /** `--server-metrics auto|off|URL`; default auto (needs engineBaseUrl). */
  readonly serverMetrics?: 'auto' | 'off' | string;
  /** `--engine-pid N`. */
  readonly enginePid?: number;
  /** `--engine-process NAME`. */
  readonly engineProcess?: string;
  /** `--engine-container NAME`. */
  readonly engineContainer?: string;
  /** Docker socket; default DOCKER_HOST or /var/run/docker.sock. */
  readonly dockerSocketPath?: string;
  /** Host CPU/memory/network/disk; default true. */
  readonly hostMetrics?: boolean;
  /** This process's CPU, RSS and event-loop delay; default true. */
  readonly clientProcess?: boolean;
  /** Timer step of the client's event-loop delay meter; default 50 ms (see client-process-sampler.ts). */
  readonly eventLoopResolutionMs?: number;
  readonly clock?: Clock;
  /** Overrides, mostly for tests: NVML library, nvidia-smi binary, PATH to search, host reader. */
  readonly nvmlLibraryPath?: string;
  readonly nvidiaSmiPath?: string;
  readonly nvidiaSmiFallbackDirs?: readonly string[];
  readonly hostSource?: HostSource;
}

export interface ResolvedMonitorOptions {
  readonly runId: string;
  readonly host: string;
  readonly intervalMs: number;
  readonly originMs: number | undefined;
  readonly gpu: GpuMode;
  readonly engine: EngineKind | undefined;
  readonly engineBaseUrl: string | undefined;
  readonly serverMetrics: 'auto' | 'off' | string;
  readonly engineProcess: EngineProcessTarget | undefined;
  readonly engineContainer: string | undefined;
  readonly dockerSocketPath: string | undefined;
  readonly hostMetrics: boolean;
  readonly clientProcess: boolean;
  readonly eventLoopResolutionMs: number;
  readonly clock: Clock;
  readonly nvmlLibraryPath: string | undefined;
  readonly nvidiaSmiPath: string | undefined;
  readonly nvidiaSmiFallbackDirs: readonly string[] | undefined;
  readonly hostSource: HostSource | undefined;
  /** HTTP scrapes and Docker calls give up after this: long enough for a busy engine, short of stalling. */
  readonly requestTimeoutMs: number;
}

export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 3_600_000;

export function resolveMonitorOptions(options: MonitorOptions): ResolvedMonitorOptions {
  const problems: string[] = [];
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
    problems.push(`intervalMs (--monitor-interval) must be between ${MIN_INTERVAL_MS} ms and 1 h, got ${intervalMs}`);
  }
  if (!options.runId) problems.push('runId is required');
  let gpu: GpuMode = { kind: 'auto' };
  try {
    gpu = typeof options.gpu === 'string' ? parseGpuMode(options.gpu) : (options.gpu ?? gpu);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (options.engine !== undefined && !ENGINE_KINDS.includes(options.engine)) {
    problems.push(`engine must be one of ${ENGINE_KINDS.join(', ')}, got "${options.engine}"`);
  }
  const serverMetrics = options.serverMetrics ?? 'auto';
  if (serverMetrics !== 'auto' && serverMetrics !== 'off' && !isHttpUrl(serverMetrics)) {
    problems.push(`--server-metrics must be auto, off or an http(s) URL, got "${serverMetrics}"`);
  }
  if (options.engineBaseUrl !== undefined && !isHttpUrl(options.engineBaseUrl)) {
    problems.push(`engineBaseUrl must be an http(s) URL, got "${options.engineBaseUrl}"`);
  }
  if (options.enginePid !== undefined && options.engineProcess !== undefined) {
    problems.push('--engine-pid and --engine-process name the same thing; give one');
  }
  if (options.enginePid !== undefined && !(Number.isInteger(options.enginePid) && options.enginePid > 0)) {
    problems.push(`--engine-pid must be a positive integer, got ${options.enginePid}`);
  }
  const eventLoopResolutionMs = options.eventLoopResolutionMs ?? DEFAULT_EVENT_LOOP_RESOLUTION_MS;
  if (!(eventLoopResolutionMs >= 1 && eventLoopResolutionMs <= 1000)) {
    problems.push(`eventLoopResolutionMs must be between 1 and 1000 ms, got ${eventLoopResolutionMs}`);
  }
  if (options.engineProcess !== undefined && options.engineProcess.trim() === '') problems.push('--engine-process must not be empty');
  if (options.engineContainer !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(options.engineContainer)) {
    problems.push(`--engine-container must be a container name or id, got "${options.engineContainer}"`);
  }
  if (problems.length > 0) {
    throw new UsageError(`invalid monitoring options:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
  return {
    runId: options.runId,
    host: options.host ?? os.hostname(),
    intervalMs,
    originMs: options.originMs,
    gpu,
    engine: options.engine,
    engineBaseUrl: options.engineBaseUrl,
    serverMetrics,
    engineProcess:
      options.enginePid !== undefined
        ? { pid: options.enginePid }
        : options.engineProcess !== undefined
          ? { name: options.engineProcess.trim() }
          : undefined,
    engineContainer: options.engineContainer,
    dockerSocketPath: options.dockerSocketPath,
    hostMetrics: options.hostMetrics ?? true,
    clientProcess: options.clientProcess ?? true,
    eventLoopResolutionMs,
    clock: options.clock ?? systemClock,
    nvmlLibraryPath: options.nvmlLibraryPath,
    nvidiaSmiPath: options.nvidiaSmiPath,
    nvidiaSmiFallbackDirs: options.nvidiaSmiFallbackDirs,
    hostSource: options.hostSource,
    requestTimeoutMs: Math.min(10_000, Math.max(2_000, 2 * intervalMs)),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false; // not parseable as a URL at all
  }
}
