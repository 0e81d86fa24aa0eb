/**
 * Scenario file bytes → plain data, safely. What a hostile or broken file meets here, each refused as
 * SCENARIO_INVALID with where it is (file:line:col or a byte offset), never a stack trace:
 * - size: a scenario is a few hundred bytes; more than MAX_SCENARIO_BYTES is refused before parsing;
 * - encoding: UTF-8 only (a UTF-8 byte-order mark is dropped); a UTF-16/UTF-32 file is named as such, and
 *   invalid UTF-8 is refused at its byte offset instead of passing on as U+FFFD;
 * - YAML: the core schema only (no custom or language-specific tags), duplicate keys refused, nesting
 *   deeper than MAX_DEPTH refused, undefined aliases named, alias expansion bounded (billion-laughs guard).
 *
 * Duplicate keys are found here, one Set per mapping, rather than by the yaml package's `uniqueKeys`: that
 * check compares each key with every earlier one, and refusing a mapping of 40 000 keys took 11.9 s.
 */
import { isUtf8 } from 'node:buffer';
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ScenarioError } from '../core/errors.js';
import { escapeControls, printable } from './printable.js';

/** Larger than any real scenario by far (the presets are under 1 KiB); datasets are separate files. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** Mappings and lists nested deeper than this are refused (a scenario nests four levels). */
export const MAX_DEPTH = 64;
/** Alias expansions allowed while converting (the yaml package's guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;

const YAML_HINT = 'YAML is indentation-sensitive; quote values that contain ":" or "#"';

/** Refuses a file too large to be a scenario (called with its size before it is read, and on the bytes). */
export function checkScenarioSize(sizeBytes: number, source: string): void {
  if (sizeBytes <= MAX_SCENARIO_BYTES) return;
  throw new ScenarioError('SCENARIO_INVALID', `${source} is ${sizeBytes} bytes; a scenario file may be at most ${MAX_SCENARIO_BYTES} bytes`, {
    hint: 'a scenario holds settings only; prompts go in a dataset file (workload.dataset)',
  });
}

/** The file's bytes as text: UTF-8 only, checked (see the file comment). */
export function decodeScenarioBytes(bytes: Uint8Array, source: string): string {
  checkScenarioSize(bytes.length, source);
  const encoding = foreignEncoding(bytes);
  if (encoding) {
    throw new ScenarioError('SCENARIO_INVALID', `${source} is encoded as ${encoding}; scenario files must be UTF-8`, {
      hint: 'save it as UTF-8, e.g. `iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8`',
    });
  }
  const text = new TextDecoder('utf-8').decode(bytes); // drops a UTF-8 BOM
  const bad = firstInvalidUtf8(bytes, text);
  if (bad !== undefined) {
    const { line, col } = lineColAt(text, bad.charIndex);
    const byte = bytes[bad.byteOffset]!.toString(16).padStart(2, '0');
    throw new ScenarioError('SCENARIO_INVALID', `${source}:${line}:${col}: invalid UTF-8 at byte offset ${bad.byteOffset} (byte 0x${byte}); scenario files must be UTF-8`, {
      hint: 'the file was probably saved in another encoding (Latin-1, Windows-1252): save it as UTF-8',
    });
  }
  return text;
}

export function parseYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined) => {
    if (offset === undefined) return source;
    const { line, col } = lineCounter.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  const refuse = (lines: string[]): never => {
    throw new ScenarioError('SCENARIO_INVALID', `${source} is not valid YAML:\n${lines.map((line) => `  ${escapeControls(line)}`).join('\n')}`, { hint: YAML_HINT });
  };
  try {
    const document = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: false, lineCounter });
    // An unknown tag (`!foo`, `!!js/function`) is only a warning to the yaml package; for us it is an error.
    const problems = [...document.errors, ...document.warnings].map((problem) => {
      const position = problem.linePos?.[0];
      return `${position ? `${source}:${position.line}:${position.col}` : source}: ${describeFailure(problem)}`;
    });
    if (problems.length === 0) problems.push(...structureProblems(document, at));
    if (problems.length > 0) return refuse(problems);
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    // What the yaml package throws rather than reports: a ReferenceError for an alias bomb, a RangeError when
    // nesting thousands deep exhausts the stack of its recursive composer.
    return refuse([`${source}: ${describeFailure(error)}`]);
  }
}

/** Duplicate keys, undefined aliases and excessive depth, each with its position. */
function structureProblems(document: Document.Parsed, at: (offset: number | undefined) => string): string[] {
  const problems: string[] = [];
  const anchors = new Set<string>();
  visit(document, (_, visited, path) => {
    if (isPair(visited) || !isNode(visited)) return undefined;
    const node = visited;
    if (path.filter((ancestor) => isMap(ancestor) || isSeq(ancestor)).length > MAX_DEPTH) {
      problems.push(`${at(node.range?.[0])}: nested more than ${MAX_DEPTH} levels deep`);
      return visit.BREAK;
    }
    if (node.anchor) anchors.add(node.anchor);
    if (isAlias(node) && !anchors.has(node.source)) {
      problems.push(`${at(node.range?.[0])}: alias *${printable(node.source)} refers to no anchor defined before it`);
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const { key } of node.items) {
        // A complex key (a mapping as a key) is left to the schema, which refuses it.
        if (!isScalar(key) && !isAlias(key)) continue;
        const name = isScalar(key) ? String(key.value) : `*${key.source}`;
        if (seen.has(name)) problems.push(`${at(key.range?.[0])}: duplicate key ${printable(name)}`);
        seen.add(name);
      }
    }
    return undefined;
  });
  return problems;
}

function describeFailure(error: unknown): string {
  if (error instanceof RangeError || /maximum call stack/i.test(String((error as Error)?.message))) return `nested too deeply to read (more than ${MAX_DEPTH} levels are refused)`;
  const message = error instanceof Error ? error.message : String(error);
  if (/excessive alias count/i.test(message)) {
    return `aliases expand to more than ${MAX_ALIAS_COUNT} copies (an alias bomb?); scenario files need few or no aliases`;
  }
  return firstLine(message);
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** A byte-order mark or NUL pattern of an encoding other than UTF-8, named; undefined for UTF-8 (or ASCII). */
function foreignEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff) return 'UTF-32 (big-endian byte-order mark)';
  if (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) return 'UTF-32 (little-endian byte-order mark)';
  if (a === 0xfe && b === 0xff) return 'UTF-16 (big-endian byte-order mark FE FF)';
  if (a === 0xff && b === 0xfe) return 'UTF-16 (little-endian byte-order mark FF FE)';
  // Without a mark, UTF-16 text of ASCII characters has a NUL in every other byte.
  if (bytes.length >= 2 && (a === 0x00) !== (b === 0x00)) return a === 0x00 ? 'UTF-16 big-endian (no byte-order mark)' : 'UTF-16 little-endian (no byte-order mark)';
  return undefined;
}

/**
 * The first invalid UTF-8 sequence, if any. The decoder replaced it with U+FFFD; every character before the
 * first replacement is valid, so its byte offset is the UTF-8 length of the text before it. A genuine U+FFFD in
 * the file (bytes EF BF BD) is told apart by the bytes at that offset.
 */
function firstInvalidUtf8(bytes: Uint8Array, text: string): { byteOffset: number; charIndex: number } | undefined {
  if (isUtf8(bytes)) return undefined;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let byteOffset = bom;
  let from = 0;
  for (let index = text.indexOf('\ufffd'); index !== -1; index = text.indexOf('\ufffd', index + 1)) {
    byteOffset += Buffer.byteLength(text.slice(from, index));
    from = index;
    if (bytes[byteOffset] === 0xef && bytes[byteOffset + 1] === 0xbf && bytes[byteOffset + 2] === 0xbd) continue; // a real U+FFFD
    return { byteOffset, charIndex: index };
  }
  return undefined;
}

function lineColAt(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: index - lineStart + 1 };
}
