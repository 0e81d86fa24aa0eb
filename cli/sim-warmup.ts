/**
 * Warms `llmbench sim`'s hot paths before it serves anyone. A fresh simulator runs its HTTP parsing, its
 * dialect and its chunk writers as cold, unoptimized code; when a benchmark opens with 1 000 users at once,
 * that cold first wave cost the simulator tens of milliseconds per request on a 2-core machine, and the
 * client measured it as TTFT. So, before the real server listens, a throwaway simulator of the same engine
 * (fixed mode, zero latency, its own port, ground truth and counters) serves a few hundred streamed
 * requests built by the engine's own client adapter. Only the JIT's state carries over.
 */
import { Agent, request } from 'undici';
import { adapterFor } from '../collectors/engines/index.js';
import { systemClock } from '../pipeline/core/clock.js';
import { syntheticPrompt } from '../pipeline/pool/prompts.js';
import type { SimulatorOptions } from '../simulator/index.js';

export interface SimWarmup {
  readonly requests: number;
  readonly ok: number;
  readonly elapsedMs: number;
}

const WARMUP_PROMPT_TOKENS = 32;
const WARMUP_OUTPUT_TOKENS = 8;

export async function warmSimulator(options: SimulatorOptions, requests = 400, concurrency = 50): Promise<SimWarmup> {
  const { startSimulator } = await import('../simulator/index.js');
  const startMs = systemClock.nowMs();
  const sim = await startSimulator({
    engine: options.engine,
    host: '127.0.0.1',
    port: 0,
    ...(options.model ? { model: options.model } : {}),
    fixed: { ttftMs: 0, itlMs: 0 },
    maxGroundTruth: 1,
  });
  const adapter = adapterFor(options.engine);
  const agent = new Agent({ connections: concurrency });
  let next = 0;
  let ok = 0;
  const oneStream = async () => {
    while (next < requests) {
      const index = next++;
      const spec = adapter.buildRequest({
        requestId: `sim-warmup-${index}`,
        model: options.model ?? 'sim',
        prompt: syntheticPrompt(WARMUP_PROMPT_TOKENS, `warmup${index}`, index + 1),
        promptTokens: WARMUP_PROMPT_TOKENS,
        maxTokens: WARMUP_OUTPUT_TOKENS,
        stream: true,
        api: adapter.defaultApi,
      });
      const response = await request(`${sim.url}${spec.path}`, {
        method: spec.method,
        headers: spec.headers,
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        dispatcher: agent,
      });
      await response.body.text();
      if (response.statusCode === 200) ok++;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, oneStream));
  } finally {
    await agent.close();
    await sim.close();
  }
  return { requests, ok, elapsedMs: systemClock.nowMs() - startMs };
}
