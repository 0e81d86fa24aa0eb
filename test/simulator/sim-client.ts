/**
 * Test helpers: start a simulator on 127.0.0.1:0 for one test, talk to it with undici over real sockets,
 * and split SSE / NDJSON bodies into records.
 */
import type { ExecutionContext } from 'ava';
import { createRequire } from 'node:module';
import { Agent, request } from 'undici';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/index.js';

/** Zero-latency batching knobs: tests run fast and never depend on wall-clock timing. */
export const FAST_PERF = { prefillMsPerToken: 0, decodeStepBaseMs: 1, decodeMsPerSequence: 0, jitterFraction: 0, coldLoadMs: 0 } as const;

export async function startSim(t: ExecutionContext, options: SimulatorOptions): Promise<RunningSimulator> {
  const sim = await startSimulator({ ...options, perf: { ...FAST_PERF, ...options.perf } });
  t.teardown(() => sim.close());
  return sim;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await request(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, headers: flatHeaders(response.headers), text: await response.body.text() };
}

export async function get(url: string, path: string, method: 'GET' | 'HEAD' | 'DELETE' = 'GET'): Promise<Reply> {
  const response = await request(`${url}${path}`, { method });
  return { status: response.statusCode, headers: flatHeaders(response.headers), text: await response.body.text() };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** SSE `data:` payloads in order (raw strings, so "[DONE]" and malformed events stay visible). */
export function sseData(text: string): string[] {
  assertFramed(text);
  return text
    .split('\n\n')
    .filter((event) => event.length > 0)
    .map((event) => {
      const line = event.split('\n').find((l) => l.startsWith('data:'));
      if (line === undefined) throw new Error(`SSE event without data: ${JSON.stringify(event)}`);
      return line.slice(5).trimStart();
    });
}

function assertFramed(text: string): void {
  if (text.length > 0 && !text.endsWith('\n\n')) throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
}

/** Parsed JSON events of an SSE body, without the [DONE] marker. */
export function sseJson(text: string): Array<Record<string, any>> {
  return sseData(text)
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, any>);
}

export function ndjson(text: string): Array<Record<string, any>> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('NDJSON body does not end with a newline');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export interface MetricFamily {
  name: string;
  help?: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }>;
}

// The package is CommonJS without type declarations; createRequire keeps its typing local (as in collectors).
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

/**
 * Families by name (for names, types, simple samples). Note: parse-prometheus-text-format 1.1.1 drops
 * `_sum`/`_count` and the labels of histograms that have labels besides `le`; use `sample()` for those.
 */
export function parseMetrics(text: string): Map<string, MetricFamily> {
  const families = parsePrometheusTextFormat(text);
  return new Map(families.map((family) => [family.name, family]));
}

/** A dispatcher that allows many parallel connections to one origin (the default pool is unbounded too; explicit here). */
export function manyConnections(connections: number): Agent {
  return new Agent({ connections, pipelining: 1, keepAliveTimeout: 10_000 });
}

/** The value of one sample line `name{labels} value` (labels in the order written), or undefined. */
export function sample(text: string, name: string, labels = ''): number | undefined {
  const prefix = `${name}${labels ? `{${labels}}` : ''} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}
