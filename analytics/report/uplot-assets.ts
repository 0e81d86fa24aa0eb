/**
 * uPlot (MIT, github.com/leeoniya/uPlot), inlined into every report.html: its minified browser build, its
 * stylesheet and its licence, read from the installed package. Resolved through Node's module resolution from
 * this file, so it works from the sources (tsx), from dist/, and from an installed llmbench alike.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface InlineLibrary {
  readonly name: string;
  readonly version: string;
  readonly js: string;
  readonly css: string;
  readonly license: string;
}

let cached: InlineLibrary | undefined;

export function uplotLibrary(): InlineLibrary {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('uplot/package.json'));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  cached = {
    name: 'uPlot',
    version: manifest.version,
    js: readFileSync(join(root, 'dist', 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(root, 'dist', 'uPlot.min.css'), 'utf8'),
    license: readFileSync(join(root, 'LICENSE'), 'utf8'),
  };
  return cached;
}
