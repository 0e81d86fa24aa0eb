/**
 * A request's chunk log while it streams: offsets and token counts in one growing Float64Array instead of a
 * two-element array per chunk. The log lives as long as the request (seconds), so every young-generation GC
 * copies it; at 128 chunks the array-per-chunk form is ~8 KB of small objects per stream, and with 1 000
 * streams the worker's scavenges took 10–15 ms on this machine, each one a stall of every socket read and
 * every send timer. The record's `[offset, tokens][]` form is built once, when the request ends.
 */
import type { ChunkLogEntry } from '../core/record.js';

const INITIAL_CHUNKS = 64;
const EMPTY = new Float64Array(0);

export class ChunkLog {
  /** Interleaved: offset of chunk i at 2i, its tokens at 2i + 1. Allocated on the first push (non-streamed requests never push). */
  #values = EMPTY;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(offsetMs: number, tokens: number): void {
    if (this.#length * 2 === this.#values.length) {
      const grown = new Float64Array(Math.max(INITIAL_CHUNKS * 2, this.#values.length * 2));
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length * 2] = offsetMs;
    this.#values[this.#length * 2 + 1] = tokens;
    this.#length++;
  }

  entries(): ChunkLogEntry[] {
    const entries: ChunkLogEntry[] = new Array(this.#length);
    for (let i = 0; i < this.#length; i++) entries[i] = [this.#values[i * 2]!, this.#values[i * 2 + 1]!];
    return entries;
  }
}
