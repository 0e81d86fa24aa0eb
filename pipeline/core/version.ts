import { readFileSync } from 'node:fs';

let cached: string | undefined;
/** The package version, read once from package.json (two levels up from pipeline/core/, three from dist/pipeline/core/). */
export function toolVersion(): string {
  if (cached) return cached;
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'llmbench' && pkg.version) return (cached = pkg.version);
    } catch {
      // not at this level; try the next
    }
  }
  return (cached = '0.0.0');
}
