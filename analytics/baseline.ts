/**
 * "Compare against the trend" (DESIGN §8, §11), for `llmbench schedule`: a new run against the scenario's recent
 * runs, taken as repeats of one configuration (compare.ts pools their requests). The recent runs are the newest
 * `count` runs under the run directory root that ran the same scenario and workload fingerprint, completed, were
 * valid and started before the new one; read with the one reader.
 */
import type { Comparison } from '../pipeline/core/analysis.js';
import { BenchError } from '../pipeline/core/errors.js';
import type { RunResult } from '../pipeline/core/run-result.js';
import { fingerprintOfRun } from '../pipeline/scenario/fingerprint.js';
import { readRunDirectory, type RunDirectoryView } from '../pipeline/sinks/run-directory-reader.js';
import { compareRuns, type CompareOptions, type SideRun } from './compare.js';
import { runDirectoriesIn } from './compare-sources.js';
import { runDataFromDirectory } from './run-data-source.js';

export async function recentRuns(root: string, result: RunResult, count: number, onWarning: (line: string) => void = () => {}): Promise<SideRun[]> {
  const hash = fingerprintOfRun(result)?.hash;
  const candidates: Array<{ dir: string; view: RunDirectoryView }> = [];
  for (const dir of await runDirectoriesIn(root)) {
    let view: RunDirectoryView;
    try {
      view = await readRunDirectory(dir);
    } catch (error) {
      if (!(error instanceof BenchError)) throw error;
      onWarning(`${dir} left out of the baseline: ${error.message}`);
      continue;
    }
    const other = view.result;
    if (other.run_id === result.run_id || other.status !== 'completed' || !other.valid) continue;
    if (other.scenario.name !== result.scenario.name || hash === undefined || fingerprintOfRun(other)?.hash !== hash) continue;
    if (!(other.started_at < result.started_at)) continue;
    candidates.push({ dir, view });
  }
  const newest = candidates.sort((a, b) => b.view.result.started_at.localeCompare(a.view.result.started_at)).slice(0, count);
  const runs: SideRun[] = [];
  for (const { dir, view } of newest.reverse()) runs.push({ dir, result: view.result, data: await runDataFromDirectory(view) });
  return runs;
}

/** The new run (candidate) against its recent runs (base); undefined when there are none yet. */
export function compareWithRecent(candidate: SideRun, recent: readonly SideRun[], options: CompareOptions = {}): Comparison | undefined {
  if (recent.length === 0) return undefined;
  return compareRuns(recent, [candidate], options);
}
