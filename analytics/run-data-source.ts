/** RunData from a run directory (pipeline/sinks/run-directory-reader.ts): its records, windows and resource samples. */
import type { RunDirectoryView } from '../pipeline/sinks/run-directory-reader.js';
import { WindowAccumulator } from '../pipeline/run/windows.js';
import { RunDataBuilder, type RunData } from './run-data.js';

/**
 * The run's windows as it handed them out (windows.jsonl); a run that handed out none (killed early, or written
 * before windows.jsonl existed) gets them from its records, by the same code the run uses.
 */
export async function runDataFromDirectory(view: RunDirectoryView): Promise<RunData> {
  const builder = new RunDataBuilder();
  const result = view.result;
  const fallback = new WindowAccumulator({ runId: result.run_id, engine: result.target.engine, model: result.target.model });
  for await (const record of view.records()) {
    builder.addRecord(record);
    fallback.add(record);
  }
  let windows = 0;
  for await (const window of view.windows()) {
    builder.addWindows([window]);
    windows++;
  }
  if (windows === 0) builder.addWindows(fallback.takeAll());
  for await (const point of view.resources()) builder.addResources([point]);
  return builder.build();
}
