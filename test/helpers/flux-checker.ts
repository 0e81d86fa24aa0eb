/**
 * InfluxData's Flux parser and semantic checker (@influxdata/flux-lsp-browser, WebAssembly) loaded in Node.
 * The package is built for bundlers: its `_bg.js` does `import * as wasm from './…_bg.wasm'`, which Node
 * cannot import. So we load `_bg.js` as source with that import replaced by a late-bound variable,
 * instantiate the .wasm ourselves with the module's exports as its imports (that is what a bundler does),
 * and bind the instance back. The dashboards' tests (grafana/) reuse this.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface FluxChecker {
  /** True when the script parses and type-checks (known functions, argument names and types). */
  isValid(source: string): boolean;
  /** Parse errors with line:column, for test failure messages ([] when it parses; type errors are not listed). */
  parseErrors(source: string): string[];
  /** The parser's AST as plain JSON (Flux's ast package shape: `type`, `body`, `location`, …), for tests that read queries. */
  ast(source: string): unknown;
}

interface BindgenModule {
  __llmbenchBind(exports: WebAssembly.Exports): void;
  Flux: new (source: string) => { is_valid(): boolean; free(): void };
  parse(source: string): unknown;
}

const WASM_IMPORT = "import * as wasm from './flux-lsp-browser_bg.wasm';";
const EAGER_MEMORY_VIEWS = /\ncachedInt32Memory0 = new Int32Array\(wasm\.memory\.buffer\);\ncachedUint8Memory0 = new Uint8Array\(wasm\.memory\.buffer\);\s*$/;

let loading: Promise<FluxChecker> | undefined;

export function loadFluxChecker(): Promise<FluxChecker> {
  return (loading ??= load());
}

async function load(): Promise<FluxChecker> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('@influxdata/flux-lsp-browser/package.json'));
  let source = await readFile(join(packageDir, 'flux-lsp-browser_bg.js'), 'utf8');
  if (!source.includes(WASM_IMPORT) || !EAGER_MEMORY_VIEWS.test(source)) {
    throw new Error('@influxdata/flux-lsp-browser changed its generated glue; update test/helpers/flux-checker.ts');
  }
  source = source
    .replace(WASM_IMPORT, 'let wasm;')
    // These two module-level lines need the instance; they move into the bind function.
    .replace(EAGER_MEMORY_VIEWS, '\n')
    .concat(`
export function __llmbenchBind(exports) {
  wasm = exports;
  cachedInt32Memory0 = new Int32Array(wasm.memory.buffer);
  cachedUint8Memory0 = new Uint8Array(wasm.memory.buffer);
}
`);
  const glue = (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)) as BindgenModule;
  const bytes = await readFile(join(packageDir, 'flux-lsp-browser_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './flux-lsp-browser_bg.js': glue as unknown as WebAssembly.ModuleImports });
  glue.__llmbenchBind(instance.exports);

  return {
    isValid(script) {
      const checked = new glue.Flux(script);
      try {
        return checked.is_valid();
      } finally {
        checked.free();
      }
    },
    parseErrors(script) {
      const errors: string[] = [];
      collectErrors(glue.parse(script), errors);
      return errors;
    },
    ast(script) {
      return glue.parse(script);
    },
  };
}

/** The AST marks broken nodes with `errors: [{msg}]` and a `location`. */
function collectErrors(node: unknown, into: string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collectErrors(child, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as { errors?: Array<{ msg?: string }>; location?: { start?: { line: number; column: number } } };
  for (const error of record.errors ?? []) {
    const at = record.location?.start;
    into.push(`${at ? `${at.line}:${at.column}: ` : ''}${error.msg ?? 'error'}`);
  }
  for (const value of Object.values(node)) if (value && typeof value === 'object') collectErrors(value, into);
}
