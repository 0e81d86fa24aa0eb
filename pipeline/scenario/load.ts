/**
 * loadScenario: a preset name or a YAML file → a validated Scenario. Resolves `extends:` chains (a preset,
 * or a file relative to the extending file), detects cycles, merges (merge.ts), then validates the merged
 * document once, so a child may complete or fix what its parent leaves open.
 */
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { ScenarioError } from '../core/errors.js';
import { isMapping, mergeScenarioDocuments, type Document } from './merge.js';
import { looksLikePath, presetNames, presetsDir } from './presets.js';
import type { Scenario } from './schema.js';
import { validateScenario } from './validate.js';
import { checkScenarioSize, decodeScenarioBytes, parseYaml } from './yaml.js';

export interface LoadScenarioOptions {
  /** Where presets live (default: the package's scenarios/). */
  readonly presetsDir?: string;
  /** Base for relative file paths (default: process.cwd()). */
  readonly cwd?: string;
}

export interface ResolvedDocument {
  /** The merged document, `extends` removed, not yet validated. */
  readonly document: Document;
  /** How to name it in messages: the reference as given, plus what it extends. */
  readonly source: string;
  /** The files read, child first. */
  readonly files: readonly string[];
}

const MAX_EXTENDS_DEPTH = 32;

export async function loadScenario(nameOrPath: string, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const resolved = await resolveScenarioDocument(nameOrPath, options);
  return validateScenario(resolved.document, resolved.source);
}

export async function resolveScenarioDocument(nameOrPath: string, options: LoadScenarioOptions = {}): Promise<ResolvedDocument> {
  const presets = options.presetsDir ?? presetsDir();
  const cwd = options.cwd ?? process.cwd();
  const chain: Located[] = [];
  const document = await resolveChain(nameOrPath, cwd, presets, chain);
  const parents = chain.slice(1).map((entry) => entry.display);
  const source = parents.length > 0 ? `${chain[0]!.display} (extends ${parents.join(' → ')})` : chain[0]!.display;
  return { document, source, files: chain.map((entry) => entry.file) };
}

interface Located {
  readonly file: string;
  /** Preset name, or the path as the user wrote it. */
  readonly display: string;
}

async function resolveChain(reference: string, baseDir: string, presets: string, chain: Located[]): Promise<Document> {
  const located = locate(reference, baseDir, presets, chain[chain.length - 1]);
  const cycleStart = chain.findIndex((entry) => entry.file === located.file);
  if (cycleStart >= 0) {
    const loop = [...chain.slice(cycleStart), located].map((entry) => entry.display).join(' → ');
    throw new ScenarioError('SCENARIO_INVALID', `extends cycle: ${loop}`, { hint: 'remove one of the extends: lines' });
  }
  if (chain.length >= MAX_EXTENDS_DEPTH) {
    throw new ScenarioError('SCENARIO_INVALID', `extends chain deeper than ${MAX_EXTENDS_DEPTH} files at ${located.display}`);
  }
  chain.push(located);

  checkScenarioSize(statSync(located.file).size, located.display);
  const bytes = await readFile(located.file).catch((cause: unknown) => {
    throw new ScenarioError('SCENARIO_NOT_FOUND', `cannot read scenario file ${located.display}`, { cause });
  });
  const parsed = parseYaml(decodeScenarioBytes(bytes, located.display), located.display);
  if (!isMapping(parsed)) {
    throw new ScenarioError('SCENARIO_INVALID', `${located.display} is not a valid scenario: the file must be a mapping of keys (name, target, workload, load, …)`);
  }
  const own = withDatasetResolved(parsed, dirname(located.file));

  let document: Document = own;
  const parentReference = own['extends'];
  if (typeof parentReference === 'string' && parentReference.length > 0) {
    const parent = await resolveChain(parentReference, dirname(located.file), presets, chain);
    document = mergeScenarioDocuments(parent, own);
  }
  // A scenario is named by itself, never by what it extends: default to the file's own name.
  document = { ...document, name: own['name'] ?? nameFromFile(located.file) };
  if (typeof parentReference === 'string') delete document['extends'];
  return document;
}

function locate(reference: string, baseDir: string, presets: string, from: Located | undefined): Located {
  const names = presetNames(presets);
  if (!looksLikePath(reference) && names.includes(reference)) {
    return { file: join(presets, `${reference}.yaml`), display: reference };
  }
  const file = resolve(baseDir, reference);
  if (existsSync(file) && statSync(file).isFile()) {
    // The top-level reference is shown as typed; files reached through extends, relative to the cwd.
    return { file, display: isAbsolute(reference) || !from ? reference : relative(process.cwd(), file) || file };
  }
  const where = from ? ` (extended by ${from.display})` : '';
  throw new ScenarioError(
    'SCENARIO_NOT_FOUND',
    looksLikePath(reference)
      ? `scenario file ${reference}${where} not found`
      : `no preset or file named ${JSON.stringify(reference)}${where}; presets: ${names.join(', ')}`,
    { hint: `use a preset (${names.join(', ')}) or a path to a YAML file; \`llmbench scenarios list\` describes the presets` },
  );
}

/** A dataset path in a file is relative to that file, not to wherever llmbench runs. */
function withDatasetResolved(document: Document, dir: string): Document {
  const workload = document['workload'];
  if (!isMapping(workload) || typeof workload['dataset'] !== 'string' || isAbsolute(workload['dataset'])) return document;
  return { ...document, workload: { ...workload, dataset: resolve(dir, workload['dataset']) } };
}

function nameFromFile(file: string): string {
  const stem = basename(file, extname(file)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return stem || 'scenario';
}
