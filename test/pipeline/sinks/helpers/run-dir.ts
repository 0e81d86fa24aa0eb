/** Writes a run directory the way `llmbench run` does: run.json, requests.jsonl, resources.jsonl. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Point } from '../../../../pipeline/core/point.js';
import type { RequestRecord } from '../../../../pipeline/core/record.js';
import type { RunResult } from '../../../../pipeline/core/run-result.js';

export async function writeRunDir(records: readonly RequestRecord[], resources: readonly Point[], result: RunResult): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-rundir-'));
  await writeFile(join(dir, 'run.json'), JSON.stringify(result, null, 2));
  await writeFile(join(dir, 'requests.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await writeFile(join(dir, 'resources.jsonl'), resources.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return dir;
}

/** What InfluxDB would hold after these lines: the last line per series + timestamp. */
export function finalState(lines: readonly string[], keyOf: (line: string) => string): Map<string, string> {
  const state = new Map<string, string>();
  for (const line of lines) state.set(keyOf(line), line);
  return state;
}
