/**
 * The scenario format as JSON Schema (draft 2020-12), generated from the zod schema so the two cannot
 * drift; committed as scenarios/scenario.schema.json for editors (YAML files point at it with a
 * `# yaml-language-server: $schema=...` line). Input side: keys with defaults are optional.
 * Regenerate: `llmbench scenarios schema > scenarios/scenario.schema.json` (a test checks it is current).
 */
import { z } from 'zod';
import { ScenarioSchema } from './schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The exact text of scenarios/scenario.schema.json. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
