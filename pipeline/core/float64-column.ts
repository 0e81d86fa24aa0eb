/**
 * A growing column of doubles, kept off the JS heap in Float64Array chunks that are never copied or freed while
 * the column grows. What a long run keeps per request (a summary's metric values, analytics' request table) grows
 * with the run, and how it grows decides the client's memory:
 * - as JS arrays on the heap, V8 reserves a multiple of them between major GCs;
 * - as one Float64Array regrown by copying, every growth leaves the old backing store to be freed whenever its
 *   JS object is collected, and the freed blocks fragment the allocator: 31 columns of 90 000 values (22 MB)
 *   took 79 MB of RSS here, regrown by half each time;
 * - in chunks, the same columns took 30 MB (the values and each column's last, partly filled chunk).
 * A chunk holds at most CHUNK_VALUES (32 KiB, so a run's ~30 columns leave at most ~1 MB unfilled); the first is the
 * capacity asked for, each next twice the one before.
 * view() joins the chunks into one array when there is more than one (at the end of a run, once).
 */
const CHUNK_VALUES = 4096;

export class Float64Column {
  #chunks: Float64Array[];
  /** Values in the full chunks before the last. */
  #before = 0;
  /** Values in the last chunk. */
  #inLast = 0;

  constructor(capacity = 1024) {
    this.#chunks = [new Float64Array(Math.max(1, Math.min(capacity, CHUNK_VALUES)))];
  }

  push(value: number): void {
    let last = this.#chunks[this.#chunks.length - 1]!;
    if (this.#inLast === last.length) {
      this.#before += this.#inLast;
      last = new Float64Array(Math.min(last.length * 2, CHUNK_VALUES));
      this.#chunks.push(last);
      this.#inLast = 0;
    }
    last[this.#inLast++] = value;
  }

  get length(): number {
    return this.#before + this.#inLast;
  }

  /** The values in one array (valid until the next push). */
  view(): Float64Array {
    if (this.#chunks.length > 1) {
      const joined = new Float64Array(this.length);
      let at = 0;
      for (const [i, chunk] of this.#chunks.entries()) {
        const part = i === this.#chunks.length - 1 ? chunk.subarray(0, this.#inLast) : chunk;
        joined.set(part, at);
        at += part.length;
      }
      this.#chunks = [joined];
      this.#before = 0;
      this.#inLast = joined.length;
    }
    return this.#chunks[0]!.subarray(0, this.#inLast);
  }
}
