/**
 * Seeded randomness for the simulator. Everything random (step jitter, fault draws, generated text) comes
 * from these generators, so one `--seed` reproduces a run given the same arrival order.
 */

/** A function returning uniform floats in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for jitter and fault draws (not for cryptography). */
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

/** Derives an independent 32-bit seed for a sub-stream (e.g. "faults", or request #n) from a base seed. */
export function deriveSeed(seed: number, stream: string | number): number {
  // FNV-1a over the stream name, mixed with the seed: different names give unrelated sequences.
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  const text = String(stream);
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Integer in [min, max] (inclusive). */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Lower-case hex string of `length` characters (ids like vLLM's uuid hex). Not seeded on purpose: ids only. */
export function randomHex(length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Alphanumeric id of `length` characters (llama.cpp's random_string()). */
export function randomAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return out;
}
