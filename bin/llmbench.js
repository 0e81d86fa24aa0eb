#!/usr/bin/env node
// The CLI runs from the built JavaScript (Piscina workers need .js files); `npm ci` builds it via `prepare`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('error: llmbench is not built (dist/ is missing). Run `npm run build` (npm ci does it for you).');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
