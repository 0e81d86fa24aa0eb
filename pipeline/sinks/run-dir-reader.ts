/**
 * Reads what push needs from a run directory: run.json, and requests.jsonl / resources.jsonl streamed line
 * by line (a long run's token log does not fit comfortably in memory twice). A line that is not JSON (the
 * last line of a run killed mid-write) is skipped and counted, not fatal: the rest of the run is still worth
 * delivering.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BenchError } from '../core/errors.js';
import type { RunResult } from '../core/run-result.js';

export async function readRunResult(runDir: string): Promise<RunResult> {
  const path = join(runDir, 'run.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new BenchError('RUN_NOT_FOUND', `no run directory at ${runDir} (cannot read ${path})`, {
      cause,
      hint: 'pass the directory a run wrote (runs/<run_id> or its --out DIR)',
    });
  }
  try {
    return JSON.parse(text) as RunResult;
  } catch (cause) {
    throw new BenchError('RUN_NOT_FOUND', `${path} is not valid JSON`, { cause, hint: 'the run may have been killed while writing it' });
  }
}

export interface JsonlStats {
  lines: number;
  skipped: number;
}

/** Parsed objects of a JSONL file; nothing when the file does not exist (a run without resource samples). */
export async function* readJsonl<T>(path: string, stats: JsonlStats = { lines: 0, skipped: 0 }): AsyncGenerator<T> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    stream.once('open', () => resolve(true));
    stream.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)));
  });
  if (!opened) return;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    stats.lines++;
    try {
      yield JSON.parse(line) as T;
    } catch {
      stats.skipped++; // counted and reported by the caller
    }
  }
}
