/**
 * Before any load: is the engine there, does it serve the model, and how long is an idle round trip to it
 * (used when prefill time must be derived from client TTFT, DESIGN §4).
 */
import { request as undiciRequest } from 'undici';
import type { EngineAdapter, EngineInfo, HttpRequestSpec, PreflightHttp } from '../core/engine.js';
import { EngineError } from '../core/errors.js';

const PREFLIGHT_TIMEOUT_MS = 10_000;

export function preflightHttp(baseUrl: string, apiKey?: string): PreflightHttp {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  return {
    baseUrl,
    async request(spec: HttpRequestSpec) {
      const url = new URL(prefix + spec.path, base.origin);
      const headers: Record<string, string> = { ...spec.headers };
      if (apiKey && !headers.authorization) headers.authorization = `Bearer ${apiKey}`;
      const response = await undiciRequest(url, {
        method: spec.method,
        headers,
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        headersTimeout: PREFLIGHT_TIMEOUT_MS,
        bodyTimeout: PREFLIGHT_TIMEOUT_MS,
      });
      const body = await response.body.text();
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: response.statusCode, headers: flat, body };
    },
  };
}

export interface PreflightResult {
  readonly info: EngineInfo;
  /** Median of a few idle round trips, ms. */
  readonly networkRttMs: number;
}

export async function preflight(adapter: EngineAdapter, url: string, model: string, apiKey?: string): Promise<PreflightResult> {
  const http = preflightHttp(url, apiKey);
  const info = await adapter.preflight(http, model);
  return { info, networkRttMs: await measureRttMs(http, adapter.healthPath ?? '/') };
}

/** Median of five sequential GETs of a cheap endpoint (after one to warm the connection). */
async function measureRttMs(http: PreflightHttp, path: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 6; i++) {
    const startMs = performance.now();
    try {
      await http.request({ method: 'GET', path, headers: {} });
    } catch (cause) {
      throw new EngineError('ENGINE_UNREACHABLE', `the engine stopped answering during preflight (GET ${path})`, { cause });
    }
    if (i > 0) samples.push(performance.now() - startMs);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
