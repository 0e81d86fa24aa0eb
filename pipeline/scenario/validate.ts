/** Validation of a parsed document against the scenario schema, every problem in one error. */
import { ScenarioError } from '../core/errors.js';
import { formatIssues, scenarioErrorMap, type PathLabel } from './issues.js';
import { ScenarioSchema, type Scenario } from './schema.js';

export const SCENARIO_HINT = 'the format: scenarios/scenario.schema.json; a valid example: `llmbench scenarios show spike`';

/** The problems of a document, one `path: message` line each; empty when it is a valid scenario. */
export function scenarioProblems(document: unknown): string[] {
  const result = ScenarioSchema.safeParse(document, { error: scenarioErrorMap });
  return result.success ? [] : formatIssues(result.error.issues);
}

/**
 * Validates `document`; `source` says where it came from ("scenarios/quick.yaml", "… with command-line flags"),
 * and `label` names the paths a flag set, so a flag's problem is told with the flag's name.
 */
export function validateScenario(document: unknown, source: string, label?: PathLabel): Scenario {
  const result = ScenarioSchema.safeParse(document, { error: scenarioErrorMap });
  if (result.success) return result.data;
  const lines = formatIssues(result.error.issues, label);
  throw new ScenarioError(
    'SCENARIO_INVALID',
    `${source} is not a valid scenario (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.map((line) => `  ${line}`).join('\n')}`,
    { hint: SCENARIO_HINT },
  );
}
