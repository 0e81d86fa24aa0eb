/**
 * Isotonic (monotone) regression by pool-adjacent-violators: the non-decreasing sequence closest to `values`
 * in weighted least squares. Latency against load should not fall as load rises; where a measurement says it
 * did, that is noise, and the fit pools the neighbours instead of letting one lucky level pass an SLO.
 */
export function isotonicIncreasing(values: readonly number[], weights: readonly number[] = values.map(() => 1)): number[] {
  const blocks: Array<{ value: number; weight: number; count: number }> = [];
  values.forEach((value, i) => {
    blocks.push({ value, weight: weights[i] ?? 1, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.value > blocks[blocks.length - 1]!.value) {
      const last = blocks.pop()!;
      const previous = blocks.pop()!;
      const weight = previous.weight + last.weight;
      blocks.push({ value: (previous.value * previous.weight + last.value * last.weight) / weight, weight, count: previous.count + last.count });
    }
  });
  return blocks.flatMap((block) => Array<number>(block.count).fill(block.value));
}

/** The non-increasing fit (metrics where higher is better: a rate falls as load rises). */
export function isotonicDecreasing(values: readonly number[], weights?: readonly number[]): number[] {
  return isotonicIncreasing(values.map((value) => -value), weights).map((value) => -value);
}
