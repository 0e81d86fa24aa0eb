/**
 * The sides of `llmbench compare`: a run directory, or a folder whose run directories are repeats of one
 * configuration (oldest first). Read through the one run-directory reader, so an incomplete run is compared as
 * what it holds, and its damage rule applies.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AnalyticsError } from '../pipeline/core/errors.js';
import { readRunDirectory } from '../pipeline/sinks/run-directory-reader.js';
import { RUN_FILES } from '../pipeline/sinks/run-files.js';
import type { SideRun } from './compare.js';
import { runDataFromDirectory } from './run-data-source.js';

export async function loadSide(path: string, onWarning?: (line: string) => void): Promise<SideRun[]> {
  const dirs = isRunDirectory(path) ? [path] : await runDirectoriesIn(path);
  if (dirs.length === 0) {
    throw new AnalyticsError('RUN_NOT_FOUND', `${path} is neither a run directory nor a folder of run directories`, {
      hint: 'pass what `llmbench run --out DIR` wrote, or a folder holding several such directories (repeats)',
    });
  }
  const runs: SideRun[] = [];
  for (const dir of dirs) {
    const view = await readRunDirectory(dir, onWarning ? { onWarning } : {});
    if (!view.complete) onWarning?.(`${dir} never ended (incomplete): compared as what it holds`);
    runs.push({ dir, result: view.result, data: await runDataFromDirectory(view) });
  }
  return runs.sort((a, b) => a.result.started_at.localeCompare(b.result.started_at));
}

export function isRunDirectory(path: string): boolean {
  return [RUN_FILES.run, RUN_FILES.start, RUN_FILES.requests].some((file) => existsSync(join(path, file)));
}

/** The run directories directly under `path`, by name. */
export async function runDirectoriesIn(path: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (cause) {
    throw new AnalyticsError('RUN_NOT_FOUND', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return entries.filter((entry) => entry.isDirectory()).map((entry) => join(path, entry.name)).filter(isRunDirectory).sort();
}
