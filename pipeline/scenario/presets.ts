/**
 * The preset scenarios shipped in scenarios/*.yaml. Found relative to this module, walking up to the
 * package root, because the CLI runs from dist/ while tests run from the sources.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedDir: string | undefined;

/** Absolute path of the package's scenarios/ folder. */
export function presetsDir(): string {
  if (cachedDir) return cachedDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scenarios'))) return (cachedDir = join(dir, 'scenarios'));
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the scenarios/ folder above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Preset names (file names without .yaml), sorted. */
export function presetNames(dir: string = presetsDir()): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/** A bare name ("quick") refers to a preset; anything with a slash or a YAML/JSON extension is a path. */
export function looksLikePath(reference: string): boolean {
  return /[\\/]/.test(reference) || /\.(ya?ml|json)$/i.test(reference);
}
