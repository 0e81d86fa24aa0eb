/**
 * Seeded randomness for the simulator. Everything random (step jitter, fault draws, generated text) comes
 * from these generators, so one `--seed` reproduces a run given the same arrival order.
 */

export { mulberry32, type Random } from '../pipeline/core/random.js';
import type { Random } from '../pipeline/core/random.js';

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
