/**
 * The run directory as a sink (DESIGN §6), the embedded default: run-start.json before any load, then
 * requests.jsonl, resources.jsonl and windows.jsonl appended as the run goes (so a killed run still leaves
 * what it did), and run.json once at the end, atomically (temporary file, then rename). Register it first: it
 * opens first and closes last, so its run.json holds every section the other sinks added.
 *
 * Storage faults are found twice: open() checks the free space and writes run-start.json, so an unwritable or
 * full directory stops the run before any load (SINK_UNAVAILABLE, exit 4); a write that fails later (the disk
 * filled up) stops the run as `failed` through RunControl. Then run.json is still written if the disk allows
 * (status `failed`, the reason, and how many records the file system confirmed against how many were lost),
 * and close() throws SINK_UNAVAILABLE; where even run.json cannot be written, the directory reads as
 * `incomplete` with every line that was written (run-directory-reader.ts).
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, rename, statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SinkError, UsageError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunResult } from '../core/run-result.js';
import type { RunControl, RunEvent, RunSink, RunStart } from '../core/sink.js';
import { readRunRecords } from './run-directory-reader.js';
import { RUN_FILES } from './run-files.js';

type Stream = 'requests' | 'resources' | 'windows';

/**
 * Free space a run needs to start: a minute of a busy run's records is a few MB, so a directory with less than
 * this is full for our purposes (better refused now than failed seconds into the load).
 */
export const MIN_FREE_BYTES = 1024 * 1024;

export class RunDirectorySink implements RunSink {
  readonly name = 'run_directory';
  readonly #streams = new Map<Stream, WriteStream>();
  #control: RunControl | undefined;
  #failure: string | undefined;
  /** Records handed to requests.jsonl, and those the file system confirmed written. */
  #recordsHanded = 0;
  #recordsWritten = 0;
  /** Writes to requests.jsonl not yet confirmed (or failed), and who waits for them to settle. */
  #requestWritesPending = 0;
  #onRequestsSettled: Array<() => void> = [];

  constructor(readonly path: string) {}

  async open(start: RunStart, control: RunControl): Promise<void> {
    for (const file of [RUN_FILES.run, RUN_FILES.start]) {
      if (existsSync(join(this.path, file))) {
        throw new UsageError(`${this.path} already holds a run (${file} exists)`, { hint: 'choose another --out directory, or delete that one first' });
      }
    }
    try {
      await makeDirectory(this.path);
      const { bavail, bsize } = await statfs(this.path);
      if (bavail * bsize < MIN_FREE_BYTES) {
        throw new SinkError('SINK_UNAVAILABLE', `the run directory ${this.path} has ${bavail * bsize} bytes free; a run needs at least ${MIN_FREE_BYTES} to start`, {
          hint: 'free space there, or pass --out on another file system',
        });
      }
      await writeAtomically(join(this.path, RUN_FILES.start), JSON.stringify(start.manifest, null, 2) + '\n');
    } catch (cause) {
      if (cause instanceof SinkError) throw cause;
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
    const failure = this.#failure;
    const kept = failure
      ? { error: failure, records_written: this.#recordsWritten, records_not_written: this.#recordsHanded - this.#recordsWritten }
      : undefined;
    const stored = kept ? { ...result, sinks: { ...result.sinks, [this.name]: kept } } : result;
    const runFile = join(this.path, RUN_FILES.run);
    try {
      await writeAtomically(runFile, JSON.stringify(stored, null, 2) + '\n');
    } catch (cause) {
      const also = failure ? `${failure}; then ` : '';
      throw new SinkError('SINK_UNAVAILABLE', `${also}cannot write ${runFile}: ${describe(cause)}`, {
        cause,
        hint: `${this.path} reads as an incomplete run with every line written (llmbench report ${this.path}); free space or fix permissions for the next run`,
      });
    }
    if (kept) {
      throw new SinkError('SINK_UNAVAILABLE', `${failure}; the run stopped as failed: ${kept.records_written} records written, ${kept.records_not_written} not`, {
        hint: `${runFile} says so; the lines written before the failure are readable (llmbench report ${this.path})`,
      });
    }
  }

  /**
   * The records written to requests.jsonl so far, read back once every write handed to it has settled: the
   * analysis reads a run's requests from here when the run closes instead of holding them while it goes. After a
   * failed write (a full disk) none: what the file holds is then unknown (it may not even be a file), the run is
   * `failed`, and run.json `sinks.run_directory` says how many records were written and how many not.
   */
  async *writtenRecords(): AsyncGenerator<RequestRecord> {
    if (this.#requestWritesPending > 0) await new Promise<void>((resolve) => this.#onRequestsSettled.push(resolve));
    if (this.#failure) return;
    yield* readRunRecords(this.path);
  }

  #append(stream: Stream, items: readonly (RequestRecord | Point)[]): void {
    if (items.length === 0) return;
    const records = stream === 'requests' ? items.length : 0;
    this.#recordsHanded += records;
    if (this.#failure) return;
    const out = this.#streams.get(stream);
    if (!out) return;
    if (stream === 'requests') this.#requestWritesPending++;
    out.write(items.map((item) => JSON.stringify(item)).join('\n') + '\n', (error) => {
      if (!error) this.#recordsWritten += records;
      if (stream === 'requests' && --this.#requestWritesPending === 0) for (const resolve of this.#onRequestsSettled.splice(0)) resolve();
    });
  }

  #fail(file: string, error: Error): void {
    if (this.#failure) return;
    this.#failure = `writing ${join(this.path, file)} failed: ${describe(error)}`;
    this.#control?.fail(`run directory: ${this.#failure}`);
  }
}

/**
 * mkdir -p, with the real reason when it fails: Node's recursive mkdir reports ENOENT where the parent exists
 * but refuses the new directory (a read-only file system), so the last step is tried alone to learn why.
 */
async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(dirname(path))) throw error;
    await mkdir(path);
    throw error;
  }
}

/** Temporary file, then rename: a reader never sees half a file. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  try {
    await writeFile(`${path}.tmp`, text);
  } catch (error) {
    // A half-written temporary file (a full disk) is of no use to anyone; the original error is what matters.
    await unlink(`${path}.tmp`).catch(() => undefined);
    throw error;
  }
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
