/**
 * Seeded uniform randomness shared by the schedules (arrivals) and the simulator (jitter, faults): nothing
 * that must be reproducible touches Math.random.
 */

/** Uniform on [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, period 2^32; good for inter-arrival gaps and jitter (not for cryptography). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
