/** Validation of a parsed document against the scenario schema, every problem in one error. */
import type { z } from 'zod';
import { ScenarioError } from '../core/errors.js';
import { isMapping } from './merge.js';
import { formatIssues, scenarioErrorMap, type PathLabel } from './issues.js';
import { escapeControls } from './printable.js';
import { LoadSchema, ScenarioSchema, type Scenario } from './schema.js';

export const SCENARIO_HINT = 'the format: scenarios/scenario.schema.json; a valid example: `llmbench scenarios show spike`';

/** The problems of a document, one `path: message` line each; empty when it is a valid scenario. */
export function scenarioProblems(document: unknown): string[] {
  const result = ScenarioSchema.safeParse(document, { error: scenarioErrorMap });
  return result.success ? [] : formatIssues(withLoadFieldIssues(document, result.error.issues)).map(escapeControls);
}

/**
 * Validates `document`; `source` says where it came from ("scenarios/quick.yaml", "… with command-line flags"),
 * and `label` names the paths a flag set, so a flag's problem is told with the flag's name.
 */
export function validateScenario(document: unknown, source: string, label?: PathLabel): Scenario {
  const result = ScenarioSchema.safeParse(document, { error: scenarioErrorMap });
  if (result.success) return result.data;
  // Each line may quote the file (keys, values): no control character of it reaches the terminal.
  const lines = formatIssues(withLoadFieldIssues(document, result.error.issues), label).map(escapeControls);
  throw new ScenarioError(
    'SCENARIO_INVALID',
    `${source} is not a valid scenario (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.map((line) => `  ${line}`).join('\n')}`,
    { hint: SCENARIO_HINT },
  );
}

/**
 * `load` is a union on `executor`: with the executor missing or unknown, zod reports only that, and a
 * `users: -1` beside it would surface one fix later. So each other key of `load` is checked against the
 * executors that have it: a key no executor knows, or a value every one of them refuses, is reported too.
 */
function withLoadFieldIssues(document: unknown, issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const load = isMapping(document) ? document['load'] : undefined;
  const executorIssue = issues.some((issue) => issue.code === 'invalid_union' && issue.path.length === 2 && issue.path[0] === 'load' && issue.path[1] === 'executor');
  if (!executorIssue || !isMapping(load)) return [...issues];
  const extra: z.core.$ZodIssue[] = [];
  for (const [key, value] of Object.entries(load)) {
    if (key === 'executor') continue;
    const fields = LoadSchema.options.map((option) => (option.shape as Record<string, z.ZodType | undefined>)[key]).filter((field) => field !== undefined);
    if (fields.length === 0) {
      extra.push({ code: 'custom', path: ['load', key], message: 'unknown key: no executor has it', input: value });
      continue;
    }
    const results = fields.map((field) => field.safeParse(value, { error: scenarioErrorMap }));
    if (results.some((result) => result.success)) continue;
    const first = results[0]!;
    if (!first.success) for (const issue of first.error.issues) extra.push({ ...issue, path: ['load', key, ...issue.path] });
  }
  return [...issues, ...extra];
}
