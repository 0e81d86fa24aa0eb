/**
 * `--cold-start` with `--engine-container NAME`: start the stopped container and measure how long until the
 * engine's health URL answers 200 and until the first token arrives (the run-level "load duration" of engines
 * that load their model at start, DESIGN §7). Never throws: an unreachable Docker or a container that is
 * already running gives a result with `status: 'skipped'` and the one-line reason.
 */
import { Agent, request } from 'undici';
import { systemClock, type Clock } from '../../../pipeline/core/clock.js';
import { oneLine } from '../sampler.js';
import { describeDockerError, dockerEndpoint, type DockerEndpoint } from './docker-client.js';

export interface ColdStartOptions {
  readonly container: string;
  /** The engine's health endpoint (vLLM/TGI/llama.cpp `/health`, Ollama `/`). */
  readonly healthUrl: string;
  /** Sends one request and resolves when its first token arrived; omitted → no time to first token. */
  readonly firstToken?: () => Promise<void>;
  readonly socketPath?: string;
  readonly endpoint?: DockerEndpoint;
  readonly clock?: Clock;
  /** Give up waiting for health after this long (large models take minutes to load). Default 15 min. */
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
}

export type ColdStartResult =
  | {
      status: 'measured';
      container: string;
      health_url: string;
      started_at: string;
      /** How long Docker's start call took. */
      start_call_ms: number;
      time_to_healthy_ms: number;
      time_to_first_token_ms?: number;
      health_polls: number;
    }
  | { status: 'skipped' | 'failed'; container: string; reason: string; time_to_healthy_ms?: number };

const CHECK_CONTAINER_EVERY_POLLS = 4;

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const clock = options.clock ?? systemClock;
  const endpoint = options.endpoint ?? dockerEndpoint(options.socketPath);
  const { container: name } = options;
  const container = endpoint.docker.getContainer(name);
  try {
    const info = await container.inspect();
    if (info.State?.Running) {
      return { status: 'skipped', container: name, reason: `container ${name} is already running; stop it first (docker stop ${name}) to measure a cold start` };
    }
  } catch (error) {
    return { status: 'skipped', container: name, reason: describeDockerError(error, endpoint.description) };
  }

  const startMs = clock.nowMs();
  const startedAt = new Date().toISOString();
  try {
    await container.start();
  } catch (error) {
    return { status: 'failed', container: name, reason: `could not start ${name}: ${describeDockerError(error, endpoint.description)}` };
  }
  const startCallMs = clock.nowMs() - startMs;

  const agent = new Agent({ connections: 1 });
  const pollMs = options.pollIntervalMs ?? 250;
  const deadlineMs = startMs + (options.timeoutMs ?? 15 * 60_000);
  let polls = 0;
  try {
    for (;;) {
      const pollStartMs = clock.nowMs();
      polls++;
      if (await isHealthy(options.healthUrl, agent, Math.max(pollMs * 4, 2000))) break;
      if (polls % CHECK_CONTAINER_EVERY_POLLS === 0) {
        const exited = await exitedReason(container, name);
        if (exited) return { status: 'failed', container: name, reason: exited };
      }
      if (clock.nowMs() >= deadlineMs) {
        return { status: 'failed', container: name, reason: `${options.healthUrl} not healthy ${Math.round((deadlineMs - startMs) / 1000)} s after starting ${name}` };
      }
      await clock.sleepUntil(pollStartMs + pollMs);
    }
  } finally {
    await agent.close();
  }
  const healthyMs = clock.nowMs() - startMs;

  const result: ColdStartResult = {
    status: 'measured',
    container: name,
    health_url: options.healthUrl,
    started_at: startedAt,
    start_call_ms: startCallMs,
    time_to_healthy_ms: healthyMs,
    health_polls: polls,
  };
  if (!options.firstToken) return result;
  try {
    await options.firstToken();
  } catch (error) {
    return { status: 'failed', container: name, reason: `healthy, but the first request failed: ${oneLine(error)}`, time_to_healthy_ms: healthyMs };
  }
  return { ...result, time_to_first_token_ms: clock.nowMs() - startMs };
}

/** 200 = healthy; refused connections and 503 "loading" are the normal answers while the model loads. */
async function isHealthy(url: string, agent: Agent, timeoutMs: number): Promise<boolean> {
  try {
    const response = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    // Not listening yet (ECONNREFUSED) or too slow to answer: not healthy yet, poll again.
    return false;
  }
}

async function exitedReason(container: { inspect(): Promise<{ State?: { Running?: boolean; ExitCode?: number; Error?: string } }> }, name: string): Promise<string | undefined> {
  try {
    const state = (await container.inspect()).State;
    if (state?.Running === false) {
      return `container ${name} exited with code ${state.ExitCode ?? '?'} while starting${state.Error ? ` (${state.Error})` : ''}; see docker logs ${name}`;
    }
  } catch (error) {
    return `lost the container while starting: ${oneLine(error)}`;
  }
  return undefined;
}
