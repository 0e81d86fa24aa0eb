/**
 * The run directory (DESIGN §6): requests.jsonl and resources.jsonl appended as the run goes (so an
 * interrupted run still leaves its records), run.json and report.md written at the end.
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunResult } from '../core/run-result.js';

export const RUN_FILES = {
  run: 'run.json',
  requests: 'requests.jsonl',
  resources: 'resources.jsonl',
  report: 'report.md',
} as const;

export class RunDirectory {
  readonly #requests: WriteStream;
  readonly #resources: WriteStream;

  private constructor(readonly path: string) {
    this.#requests = createWriteStream(join(path, RUN_FILES.requests), { flags: 'w' });
    this.#resources = createWriteStream(join(path, RUN_FILES.resources), { flags: 'w' });
  }

  static async create(path: string): Promise<RunDirectory> {
    if (existsSync(join(path, RUN_FILES.run))) {
      throw new UsageError(`${path} already holds a run (run.json exists)`, {
        hint: 'choose another --out directory, or delete that one first',
      });
    }
    await mkdir(path, { recursive: true });
    return new RunDirectory(path);
  }

  appendRecords(records: readonly RequestRecord[]): void {
    if (records.length === 0) return;
    this.#requests.write(records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  }

  appendPoints(points: readonly Point[]): void {
    if (points.length === 0) return;
    this.#resources.write(points.map((point) => JSON.stringify(point)).join('\n') + '\n');
  }

  /** Written atomically (temp file + rename) so a reader never sees half a run.json. */
  async writeRunJson(result: RunResult): Promise<void> {
    const target = join(this.path, RUN_FILES.run);
    await writeFile(`${target}.tmp`, JSON.stringify(result, null, 2) + '\n');
    await rename(`${target}.tmp`, target);
  }

  async writeReport(markdown: string): Promise<void> {
    await writeFile(join(this.path, RUN_FILES.report), markdown);
  }

  async close(): Promise<void> {
    await Promise.all([endStream(this.#requests), endStream(this.#resources)]);
  }
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
  });
}
