/**
 * Spill files: batches InfluxDB could not take, kept as gzip'd line protocol in `<run dir>/influx-spill/`
 * so `llmbench push` can deliver them later. One file per batch, written with O_EXCL under a name that
 * sorts in spill order; line protocol carries no credentials, so nothing secret lands on disk.
 */
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

export const SPILL_DIR_NAME = 'influx-spill';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface SpillFile {
  readonly path: string;
  readonly lines: number;
}

export class SpillWriter {
  #sequence = 0;
  /** Files this writer created and nobody has taken back yet (the sink replays them at the end when it can). */
  readonly #files: SpillFile[] = [];
  #ready: Promise<string | undefined> | undefined;
  /** Distinguishes files of two sink instances writing to one run directory. */
  readonly #prefix = `${Date.now().toString(36)}-${process.pid}`;

  constructor(readonly dir: string) {}

  /** Writes one batch (lines joined by \n); resolves with the path. Rejects when the disk refuses (counted lost). */
  async write(body: string, lines: number): Promise<string> {
    await (this.#ready ??= mkdir(this.dir, { recursive: true }));
    const name = `${this.#prefix}-${String(++this.#sequence).padStart(6, '0')}.lp.gz`;
    const path = join(this.dir, name);
    await writeFile(path, await gzipAsync(`${body}\n`), { flag: 'wx' });
    this.#files.push({ path, lines });
    return path;
  }

  files(): SpillFile[] {
    return [...this.#files];
  }

  /** Deletes a file whose lines were delivered (or spilled again into a newer file). */
  async remove(file: SpillFile): Promise<void> {
    await unlink(file.path);
    const index = this.#files.indexOf(file);
    if (index >= 0) this.#files.splice(index, 1);
  }
}

/** The spill files of a run directory in the order they were written (empty when there are none). */
export async function listSpillFiles(runDir: string): Promise<string[]> {
  const dir = join(runDir, SPILL_DIR_NAME);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => name.endsWith('.lp') || name.endsWith('.lp.gz')).sort().map((name) => join(dir, name));
}

/** The lines of one spill file (plain or gzip'd), blank lines dropped. */
export async function readSpillFile(path: string): Promise<string[]> {
  const raw = await readFile(path);
  const text = path.endsWith('.gz') ? (await gunzipAsync(raw)).toString('utf8') : raw.toString('utf8');
  return text.split('\n').filter((line) => line.trim() !== '');
}
