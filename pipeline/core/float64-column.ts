/**
 * A growing column of doubles in a Float64Array: off the JS heap (an ArrayBuffer's backing store), so the values a
 * long run keeps per request (a summary's metric values, analytics' request table) are not live heap that V8 sizes
 * its heap from (it reserves a multiple of the live heap between major GCs), and take 8 bytes each. It grows by
 * half its size (capacity at most 1.5 × length beyond the first 1 024), not by doubling: at 90 000 requests a
 * doubled column holds 131 072 slots, this one at most 135 000 after growing and usually far fewer.
 * bench/endurance measured the difference: the client's RSS growth over a 30-minute run at 50 req/s.
 */
export class Float64Column {
  #data: Float64Array;
  #length = 0;

  constructor(capacity = 1024) {
    this.#data = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const next = new Float64Array(Math.ceil(this.#data.length * 1.5));
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  /** The filled part (a view: valid until the next push that grows the column). */
  view(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}
