/** Writes a run directory the way `llmbench run` does: run.json, requests.jsonl, resources.jsonl, windows.jsonl. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Point } from '../../../../pipeline/core/point.js';
import type { RequestRecord } from '../../../../pipeline/core/record.js';
import type { RunResult } from '../../../../pipeline/core/run-result.js';
import { windowPoints } from '../../../../pipeline/run/windows.js';

/** `windows: false` leaves windows.jsonl out, as a run killed before it handed any out. */
export async function writeRunDir(records: readonly RequestRecord[], resources: readonly Point[], result: RunResult, options: { windows?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-rundir-'));
  await writeFile(join(dir, 'run.json'), JSON.stringify(result, null, 2));
  await writeFile(join(dir, 'requests.jsonl'), jsonl(records));
  await writeFile(join(dir, 'resources.jsonl'), jsonl(resources));
  if (options.windows !== false) await writeFile(join(dir, 'windows.jsonl'), jsonl(windowPoints(records, { runId: result.run_id, engine: result.target.engine, model: result.target.model })));
  return dir;
}

function jsonl(items: readonly unknown[]): string {
  return items.length === 0 ? '' : items.map((item) => JSON.stringify(item)).join('\n') + '\n';
}

/** Series (measurement, tags, timestamp) written more than once with different lines. */
export function conflictingSeries(lines: readonly string[], keyOf: (line: string) => string): string[] {
  const seen = new Map<string, Set<string>>();
  for (const line of lines) {
    const key = keyOf(line);
    const variants = seen.get(key) ?? new Set<string>();
    variants.add(line);
    seen.set(key, variants);
  }
  return [...seen].filter(([, variants]) => variants.size > 1).map(([key]) => key);
}

/** What InfluxDB would hold after these lines: the last line per series + timestamp. */
export function finalState(lines: readonly string[], keyOf: (line: string) => string): Map<string, string> {
  const state = new Map<string, string>();
  for (const line of lines) state.set(keyOf(line), line);
  return state;
}
