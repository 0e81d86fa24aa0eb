/**
 * The run directory as a sink (DESIGN §6), the embedded default: run-start.json before any load, then
 * requests.jsonl, resources.jsonl and windows.jsonl appended as the run goes (so a killed run still leaves
 * what it did), and run.json once at the end, atomically (temporary file, then rename). Register it first: it
 * opens first and closes last, so its run.json holds every section the other sinks added.
 *
 * Storage faults are found twice: open() writes run-start.json, so an unwritable or full directory stops the
 * run before any load (SINK_UNAVAILABLE, exit 4); a write that fails later (the disk filled up) stops the run
 * as `failed` through RunControl, and what was written before stays readable.
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SinkError, UsageError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunResult } from '../core/run-result.js';
import type { RunControl, RunEvent, RunSink, RunStart } from '../core/sink.js';
import { RUN_FILES } from './run-files.js';

type Stream = 'requests' | 'resources' | 'windows';

export class RunDirectorySink implements RunSink {
  readonly name = 'run_directory';
  readonly #streams = new Map<Stream, WriteStream>();
  #control: RunControl | undefined;
  #failure: string | undefined;

  constructor(readonly path: string) {}

  async open(start: RunStart, control: RunControl): Promise<void> {
    for (const file of [RUN_FILES.run, RUN_FILES.start]) {
      if (existsSync(join(this.path, file))) {
        throw new UsageError(`${this.path} already holds a run (${file} exists)`, { hint: 'choose another --out directory, or delete that one first' });
      }
    }
    try {
      await mkdir(this.path, { recursive: true });
      await writeAtomically(join(this.path, RUN_FILES.start), JSON.stringify(start.manifest, null, 2) + '\n');
    } catch (cause) {
      throw new SinkError('SINK_UNAVAILABLE', `cannot write the run directory ${this.path}: ${describe(cause)}`, {
        cause,
        hint: 'pass a writable --out directory with free space',
      });
    }
    this.#control = control;
    for (const [stream, file] of [['requests', RUN_FILES.requests], ['resources', RUN_FILES.resources], ['windows', RUN_FILES.windows]] as const) {
      const out = createWriteStream(join(this.path, file), { flags: 'w' });
      out.on('error', (error) => this.#fail(file, error));
      this.#streams.set(stream, out);
    }
  }

  write(event: RunEvent): void {
    if (event.kind === 'records') this.#append('requests', event.records);
    else if (event.kind === 'resources') this.#append('resources', event.points);
    else if (event.kind === 'windows') this.#append('windows', event.windows);
  }

  async close(result: RunResult): Promise<void> {
    await Promise.all([...this.#streams.values()].map(endStream));
    if (this.#failure) throw new SinkError('SINK_UNAVAILABLE', this.#failure, { hint: 'free space or fix permissions; the lines written before the failure are readable' });
    try {
      await writeAtomically(join(this.path, RUN_FILES.run), JSON.stringify(result, null, 2) + '\n');
    } catch (cause) {
      throw new SinkError('SINK_UNAVAILABLE', `cannot write ${join(this.path, RUN_FILES.run)}: ${describe(cause)}`, { cause });
    }
  }

  #append(stream: Stream, items: readonly (RequestRecord | Point)[]): void {
    if (items.length === 0 || this.#failure) return;
    this.#streams.get(stream)?.write(items.map((item) => JSON.stringify(item)).join('\n') + '\n');
  }

  #fail(file: string, error: Error): void {
    if (this.#failure) return;
    this.#failure = `writing ${join(this.path, file)} failed: ${describe(error)}`;
    this.#control?.fail(`run directory: ${this.#failure}`);
  }
}

/** Temporary file, then rename: a reader never sees half a file. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason: Record<string, string> = { ENOSPC: 'no space left on the device', EACCES: 'permission denied', EROFS: 'read-only file system', EDQUOT: 'disk quota exceeded' };
  return code && reason[code] ? `${reason[code]} (${code})` : (error as Error).message;
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    // A stream that failed already reported through #fail; ending it resolves either way.
    stream.end(() => resolve());
  });
}
