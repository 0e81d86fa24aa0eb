/** A binary min-heap keyed by a number (deadlines in ms). Ties pop in insertion order. */
export class MinHeap<T> {
  #keys: number[] = [];
  #order: number[] = [];
  #values: T[] = [];
  #inserted = 0;

  get size(): number {
    return this.#values.length;
  }

  push(key: number, value: T): void {
    this.#keys.push(key);
    this.#order.push(this.#inserted++);
    this.#values.push(value);
    this.#up(this.#values.length - 1);
  }

  peekKey(): number | undefined {
    return this.#keys[0];
  }

  pop(): T | undefined {
    const n = this.#values.length;
    if (n === 0) return undefined;
    const top = this.#values[0]!;
    const lastKey = this.#keys.pop()!;
    const lastOrder = this.#order.pop()!;
    const lastValue = this.#values.pop()!;
    if (n > 1) {
      this.#keys[0] = lastKey;
      this.#order[0] = lastOrder;
      this.#values[0] = lastValue;
      this.#down(0);
    }
    return top;
  }

  #less(a: number, b: number): boolean {
    const ka = this.#keys[a]!;
    const kb = this.#keys[b]!;
    return ka < kb || (ka === kb && this.#order[a]! < this.#order[b]!);
  }

  #swap(a: number, b: number): void {
    [this.#keys[a], this.#keys[b]] = [this.#keys[b]!, this.#keys[a]!];
    [this.#order[a], this.#order[b]] = [this.#order[b]!, this.#order[a]!];
    [this.#values[a], this.#values[b]] = [this.#values[b]!, this.#values[a]!];
  }

  #up(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#less(index, parent)) return;
      this.#swap(index, parent);
      index = parent;
    }
  }

  #down(index: number): void {
    const n = this.#values.length;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < n && this.#less(left, smallest)) smallest = left;
      if (right < n && this.#less(right, smallest)) smallest = right;
      if (smallest === index) return;
      this.#swap(index, smallest);
      index = smallest;
    }
  }
}
