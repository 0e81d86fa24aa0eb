import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scenarioJsonSchema, scenarioJsonSchemaText } from '../../../pipeline/scenario/json-schema.js';
import { presetsDir } from '../../../pipeline/scenario/presets.js';

test('scenarios/scenario.schema.json is the schema generated from the zod schema', async (t) => {
  const committed = await readFile(join(presetsDir(), 'scenario.schema.json'), 'utf8');
  t.is(committed, scenarioJsonSchemaText(), 'regenerate it: llmbench scenarios schema > scenarios/scenario.schema.json');
});

test('the JSON Schema is strict, requires name and load, and lists every executor', (t) => {
  const schema = scenarioJsonSchema() as {
    $schema: string; additionalProperties: boolean; required: string[];
    properties: { load: { oneOf: Array<{ properties: { executor: { const: string } }; additionalProperties: boolean }> } };
  };
  t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.false(schema.additionalProperties);
  t.deepEqual(schema.required.sort(), ['load', 'name']);
  t.deepEqual(schema.properties.load.oneOf.map((option) => option.properties.executor.const),
    ['constant-concurrency', 'ramping-concurrency', 'constant-rate', 'ramping-rate', 'sweep']);
  t.true(schema.properties.load.oneOf.every((option) => option.additionalProperties === false));
});
