/**
 * The workload fingerprint (DESIGN §11): what was asked of the engine, engine-independent, so runs of one
 * workload can be trended and compared whatever served them, and runs of different workloads never are.
 * It holds the prompt and output lengths (or the dataset's sha256 instead of the prompt length), streaming,
 * and the load's shape and levels. Left out: the target (the point of compare is to change it), the seed
 * (repeats of one workload may draw different prompts), the warmup (excluded from statistics), and the stop
 * condition (`duration`/`requests`: a run cut short by a request budget is still the same workload).
 */
import { createHash } from 'node:crypto';
import type { RunResult, WorkloadFingerprint } from '../core/run-result.js';
import type { Scenario } from './schema.js';

const STOP_KEYS = new Set(['duration', 'requests', 'level_duration', 'level_requests']);

export function workloadFingerprint(scenario: Scenario, datasetSha256?: string): WorkloadFingerprint {
  const load = Object.fromEntries(Object.entries(scenario.load).filter(([key, value]) => !STOP_KEYS.has(key) && value !== undefined));
  const { workload } = scenario;
  const fields: Record<string, unknown> = {
    ...(datasetSha256 ? { dataset_sha256: datasetSha256 } : { prompt_tokens: workload.prompt_tokens }),
    max_tokens: workload.max_tokens,
    stream: workload.stream,
    load,
  };
  return { hash: createHash('sha256').update(canonicalJson(fields)).digest('hex').slice(0, 16), fields };
}

/**
 * A run's fingerprint: the one its run.json carries, or for a run written before fingerprints, recomputed from its
 * resolved scenario; undefined when the scenario does not say (an incomplete run that lost its run-start.json).
 */
export function fingerprintOfRun(result: Pick<RunResult, 'workload_fingerprint' | 'scenario'>): WorkloadFingerprint | undefined {
  if (result.workload_fingerprint) return result.workload_fingerprint;
  const scenario = result.scenario as Partial<Scenario>;
  if (typeof scenario.load !== 'object' || scenario.load === null || typeof scenario.workload !== 'object' || scenario.workload === null) return undefined;
  return workloadFingerprint(scenario as Scenario);
}

/** Differences between two fingerprints' fields, one "path: a ≠ b" line each (for compare's refusal). */
export function fingerprintDifferences(a: WorkloadFingerprint, b: WorkloadFingerprint): string[] {
  return valueDifferences(a.fields, b.fields);
}

/** Differences between two JSON values, one "path: a ≠ b" line per differing leaf (compare's and merge's refusals). */
export function valueDifferences(a: unknown, b: unknown): string[] {
  const out: string[] = [];
  const walk = (path: string, x: unknown, y: unknown) => {
    if (isPlainObject(x) && isPlainObject(y)) {
      for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(path ? `${path}.${key}` : key, x[key], y[key]);
    } else if (canonicalJson(x) !== canonicalJson(y)) {
      out.push(`${path || '(root)'}: ${canonicalJson(x) ?? 'absent'} ≠ ${canonicalJson(y) ?? 'absent'}`);
    }
  };
  walk('', a, b);
  return out;
}

/** JSON with keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value).sort().filter((key) => value[key] !== undefined).map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
