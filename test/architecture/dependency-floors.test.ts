/**
 * The dependency rule of DESIGN §3 as a test, over the compiler's own module graph: `tsc --traceResolution`
 * prints every import it resolves ("Resolving module '…' from '…'"), type-only and dynamic imports included.
 * Each product folder sits on a floor and imports only from floors below it (or from itself), never up and never
 * sideways; and no two product modules import each other, directly or round a circle.
 *
 *   7 cli
 *   6 analytics
 *   5 pipeline/sinks
 *   4 pipeline/run
 *   3 pipeline/scenario · pipeline/pool
 *   2 pipeline/load
 *   1 collectors · simulator · pipeline/tuning
 *   0 pipeline/core
 *
 * bench/, grafana/ and test/ stand outside: they may import anything, and nothing of the product imports them.
 */
import { execFile } from 'node:child_process';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const FLOORS: Readonly<Record<string, number>> = {
  'pipeline/core': 0,
  collectors: 1,
  simulator: 1,
  'pipeline/tuning': 1,
  'pipeline/load': 2,
  'pipeline/scenario': 3,
  'pipeline/pool': 3,
  'pipeline/run': 4,
  'pipeline/sinks': 5,
  analytics: 6,
  cli: 7,
};
const OUTSIDE = new Set(['bench', 'grafana', 'test']);

/** The folder a repository file belongs to: `pipeline/<x>` or its top-level folder. */
export function folderOf(file: string): string {
  const parts = relative(ROOT, file).split('/');
  return parts[0] === 'pipeline' ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The problem with an import from one folder to another, or undefined when the rule allows it. */
export function violation(from: string, to: string): string | undefined {
  if (from === to || OUTSIDE.has(from)) return undefined;
  if (OUTSIDE.has(to)) return `${from} imports ${to}, which stands outside the product`;
  const a = FLOORS[from];
  const b = FLOORS[to];
  if (a === undefined) return `${from} is on no floor: add it to the floors in this test and DESIGN §3`;
  if (b === undefined) return `${to} is on no floor: add it to the floors in this test and DESIGN §3`;
  if (b > a) return `${from} (floor ${a}) imports ${to} (floor ${b}): up a floor`;
  if (b === a) return `${from} imports ${to}: both on floor ${a}, sideways`;
  return undefined;
}

/** Repository-relative import edges of the product, from the compiler's trace (relative specifiers only). */
async function importEdges(): Promise<Array<{ from: string; to: string }>> {
  const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');
  const output = await new Promise<string>((resolveOutput, reject) => {
    execFile(process.execPath, [tsc, '-p', resolve(ROOT, 'tsconfig.json'), '--noEmit', '--traceResolution'], { maxBuffer: 512 * 1024 * 1024, cwd: ROOT }, (error, stdout) => {
      // tsc exits non-zero on a type error; the trace is still complete, and type errors are the build's business.
      if (error && !stdout) return reject(error);
      resolveOutput(stdout);
    });
  });
  const edges: Array<{ from: string; to: string }> = [];
  for (const match of output.matchAll(/^======== Resolving module '(\.{1,2}\/[^']+)' from '([^']+)'\. ========$/gm)) {
    const [, specifier, importer] = match;
    const target = resolve(dirname(importer!), specifier!).replace(/\.js$/, '.ts');
    edges.push({ from: importer!, to: target });
  }
  return edges;
}

const edges = await importEdges();

test('the compiler reports the import graph (the trace is not empty and names known modules)', (t) => {
  t.true(edges.length > 300, `${edges.length} edges`);
  t.true(edges.some((edge) => relative(ROOT, edge.from) === 'cli/main.ts' && relative(ROOT, edge.to) === 'pipeline/core/errors.ts'));
});

test('every import points down a floor (DESIGN §3)', (t) => {
  const problems = new Set<string>();
  for (const edge of edges) {
    const problem = violation(folderOf(edge.from), folderOf(edge.to));
    if (problem) problems.add(`${relative(ROOT, edge.from)} → ${relative(ROOT, edge.to)}: ${problem}`);
  }
  t.deepEqual([...problems], []);
});

test('no import circle among product modules', (t) => {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (OUTSIDE.has(folderOf(from)) || OUTSIDE.has(folderOf(to))) continue;
    const next = graph.get(from) ?? new Set<string>();
    next.add(to);
    graph.set(from, next);
  }
  t.deepEqual(cycles(graph).map((cycle) => cycle.map((file) => relative(ROOT, file)).join(' → ')), []);
});

test('the rule itself: up, sideways and outside are refused; down and within are allowed', (t) => {
  t.is(violation('cli', 'pipeline/core'), undefined);
  t.is(violation('pipeline/run', 'pipeline/run'), undefined);
  t.regex(violation('pipeline/run', 'analytics') ?? '', /up a floor/);
  t.regex(violation('pipeline/pool', 'pipeline/scenario') ?? '', /sideways/);
  t.regex(violation('collectors', 'simulator') ?? '', /sideways/);
  t.regex(violation('analytics', 'test') ?? '', /outside the product/);
  t.regex(violation('newfolder', 'pipeline/core') ?? '', /on no floor/);
  t.is(violation('bench', 'cli'), undefined);
});

/** Strongly connected components with more than one module (Tarjan), each as a cycle's members. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const lows = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexes.set(node, index);
    lows.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next);
        lows.set(node, Math.min(lows.get(node)!, lows.get(next)!));
      } else if (onStack.has(next)) lows.set(node, Math.min(lows.get(node)!, indexes.get(next)!));
    }
    if (lows.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexes.has(node)) visit(node);
  return found;
}
