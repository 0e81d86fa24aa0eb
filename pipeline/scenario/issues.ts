/**
 * Turns zod issues into the lines a person reads: `load.users: must be ≥ 1`. One error map for the whole
 * scenario schema keeps the wording consistent; formatIssues gives every problem its own line and path
 * (an unknown key is reported at its own path, with the keys allowed there and a "did you mean"). Keys and
 * values from the file are shown through printable()/quoted(), so no control character reaches the terminal.
 */
import type { z } from 'zod';
import { printable, quoted } from './printable.js';

type RawIssue = z.core.$ZodRawIssue;

export function scenarioErrorMap(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const got = describe(issue.input);
      if (issue.expected === 'int') return `must be a whole number, got ${got}`;
      return `must be ${article(expectedName(issue.expected))}, got ${got}`;
    }
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'array') return `must have at least ${minimum} item${minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? '≥' : '>'} ${minimum}, got ${describe(issue.input)}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'array') return `must have at most ${maximum} items`;
      return `must be ${issue.inclusive ? '≤' : '<'} ${maximum}, got ${describe(issue.input)}`;
    }
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map(String).join(', ')}, got ${describe(issue.input)}`;
    case 'invalid_union':
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = Array.isArray(issue['options']) ? (issue['options'] as unknown[]).join(', ') : '';
        const value = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        return value === undefined ? `is required: one of ${options}` : `must be one of ${options}, got ${describe(value)}`;
      }
      return undefined;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      const allowed = shape ? Object.keys(shape) : [];
      // One line per key, `key\tmessage`; formatIssues puts each key on its own path.
      return issue.keys.map((key) => `${printable(key)}\t${unknownKeyMessage(key, allowed)}`).join('\n');
    }
    default:
      return undefined;
  }
}

/** Names a path for a message ("--concurrency (load.users)"); undefined keeps the path. */
export type PathLabel = (path: string) => string | undefined;

/** `path: message` lines, in document order as zod found them. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], label: PathLabel = () => undefined): string[] {
  const lines: string[] = [];
  const named = (path: string) => label(path) ?? path;
  for (const issue of issues) {
    const path = pathText(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const entry of issue.message.split('\n')) {
        const [key, message] = entry.includes('\t') ? entry.split('\t', 2) : [undefined, entry];
        lines.push(`${named(path && key ? `${path}.${key}` : key ?? path)}: ${message}`);
      }
      continue;
    }
    lines.push(`${path ? named(path) : '(top level)'}: ${issue.message}`);
  }
  return lines;
}

export function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${printable(String(segment))}` : printable(String(segment));
  }
  return text;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return 'unknown key';
  const suggestion = closest(key, allowed);
  return `unknown key${suggestion ? ` (did you mean ${suggestion}?)` : ''}; allowed here: ${allowed.join(', ')}`;
}

/** The allowed key within edit distance 2 (or sharing a 4-letter prefix), if any. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of allowed) {
    const distance = editDistance(key.toLowerCase(), name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? allowed.find((name) => key.length >= 4 && name.startsWith(key.slice(0, 4).toLowerCase()));
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

function expectedName(expected: string): string {
  if (expected === 'object') return 'mapping';
  if (expected === 'array') return 'list';
  return expected;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quoted(value);
  return String(value);
}
