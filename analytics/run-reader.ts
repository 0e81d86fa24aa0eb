/** Reads a run directory back (DESIGN §6): run.json and the records of requests.jsonl, streamed. */
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AnalyticsError } from '../pipeline/core/errors.js';
import type { RequestRecord } from '../pipeline/core/record.js';
import type { RunResult } from '../pipeline/core/run-result.js';

export async function readRunResult(dir: string): Promise<RunResult> {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) {
    throw new AnalyticsError('RUN_NOT_FOUND', `${dir} is not a run directory (no run.json)`, {
      hint: 'pass the directory `llmbench run --out DIR` wrote (default runs/<run_id>)',
    });
  }
  try {
    return JSON.parse(await readFile(path, 'utf8')) as RunResult;
  } catch (cause) {
    throw new AnalyticsError('RUN_NOT_FOUND', `${path} is not valid JSON`, { cause, hint: 'the run may have been interrupted while writing' });
  }
}

/** Every record of requests.jsonl in order; a corrupt line is reported with its number. */
export async function* readRequestRecords(dir: string): AsyncGenerator<RequestRecord> {
  const path = join(dir, 'requests.jsonl');
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as RequestRecord;
    } catch (cause) {
      throw new AnalyticsError('RUN_NOT_FOUND', `${path}:${lineNumber} is not a JSON record`, { cause });
    }
  }
}
