/**
 * Shape comparisons for the simulator's fidelity against recorded real answers: values may differ (timings,
 * ids, the noise text), shapes may not — the same keys in the same order at every level with the same JSON
 * types, the same SSE framing and event sequence, the same Prometheus metric names and types.
 */

type JsonKind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

function kindOf(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonKind;
}

/**
 * Every place where `sim` has another shape than `real`, as "path: what differs": a missing or extra key, a
 * different JSON type, or keys in another order (llama-server writes nlohmann ordered_json, and clients
 * that parse by position exist). Arrays compare element i with element i (the last one when a side is
 * shorter); an empty array matches any array.
 */
export function shapeDiffs(real: unknown, sim: unknown, path = '$'): string[] {
  const realKind = kindOf(real);
  const simKind = kindOf(sim);
  if (realKind !== simKind) return [`${path}: the real server sends ${realKind}, the simulator ${simKind}`];
  if (realKind === 'object') {
    const r = real as Record<string, unknown>;
    const s = sim as Record<string, unknown>;
    const diffs: string[] = [];
    for (const key of Object.keys(r)) {
      diffs.push(...(key in s ? shapeDiffs(r[key], s[key], `${path}.${key}`) : [`${path}: the simulator lacks "${key}"`]));
    }
    for (const key of Object.keys(s)) if (!(key in r)) diffs.push(`${path}: the simulator adds "${key}", the real server has no such key`);
    const common = Object.keys(r).filter((key) => key in s);
    const simOrder = Object.keys(s).filter((key) => key in r);
    if (common.join() !== simOrder.join()) diffs.push(`${path}: key order ${simOrder.join(',')}, the real server ${common.join(',')}`);
    return diffs;
  }
  if (realKind === 'array') {
    const r = real as unknown[];
    const s = sim as unknown[];
    if (r.length === 0 || s.length === 0) return [];
    const diffs: string[] = [];
    for (let i = 0; i < Math.max(r.length, s.length); i++) diffs.push(...shapeDiffs(r[Math.min(i, r.length - 1)], s[Math.min(i, s.length - 1)], `${path}[${i}]`));
    return [...new Set(diffs)];
  }
  return [];
}

/** SSE data payloads; throws when the body is not `data: …\n\n` events only (llama-server's framing). */
export function ssePayloads(body: string): string[] {
  if (!body.endsWith('\n\n')) throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(body.slice(-40))}`);
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((event) => {
      if (!event.startsWith('data: ') || event.includes('\n')) throw new Error(`not a single data: line: ${JSON.stringify(event.slice(0, 80))}`);
      return event.slice('data: '.length);
    });
}

/**
 * What an event is, for comparing sequences: native `partial`/`final`, OpenAI `role`/`content`/`finish`/
 * `usage`, `[DONE]`; `+usage` and `+timings` mark the objects riding on it.
 */
export function eventLabel(payload: string): string {
  if (payload === '[DONE]') return '[DONE]';
  const event = JSON.parse(payload) as Record<string, any>;
  let label: string;
  if ('stop' in event) label = event.stop === true ? 'final' : 'partial';
  else if (Array.isArray(event.choices) && event.choices.length === 0) label = 'usage';
  else {
    const choice = event.choices?.[0] ?? {};
    if (choice.delta?.role !== undefined) label = 'role';
    else if (choice.finish_reason !== null && choice.finish_reason !== undefined) label = 'finish';
    else label = 'content';
    if (event.usage !== undefined) label += '+usage';
  }
  if (event.timings !== undefined) label += '+timings';
  return label;
}

/** Labels with runs of the same label collapsed: the real server merges tokens, so chunk counts differ. */
export function eventSequence(payloads: readonly string[]): string[] {
  const labels = payloads.map(eventLabel);
  return labels.filter((label, i) => i === 0 || label !== labels[i - 1]);
}

/** Metric name → type from Prometheus text (`# TYPE name type`), checking each has a sample line. */
export function metricTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1]!, match[2]!);
  for (const name of types.keys()) {
    if (!new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\{[^}]*\\})? \\S+$`, 'm').test(text)) throw new Error(`${name} has no sample`);
  }
  return types;
}
