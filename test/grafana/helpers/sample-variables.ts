/**
 * Values for the dashboards' template variables, as a user would pick them, and every combination a query must
 * survive: multi-value variables with one value and with two (Grafana renders both as JSON arrays), and each
 * option of a custom variable. Model names carry `/`, `:` and `.` as real ones do.
 */
import type { DashboardJson, VariableValue } from './grafana-queries.js';

/** For query variables, by name; a variable missing here fails the tests until it gets a sample. */
export const SAMPLE_VALUES: Readonly<Record<string, readonly [string, string]>> = {
  bucket: ['llmbench', 'llmbench'],
  scenario: ['quick', 'endurance'],
  engine: ['vllm', 'tgi'],
  model: ['meta-llama/Llama-3.1-8B-Instruct', 'llama3.2:3b'],
  run_id: ['20261127-193012-a1b2', '20261128-020000-0c3d'],
  base_run_id: ['20261127-193012-a1b2', '20261127-193012-a1b2'],
  candidate_run_id: ['20261128-020000-0c3d', '20261128-020000-0c3d'],
};

export type VariableValues = Readonly<Record<string, VariableValue>>;

/** Every rendering a dashboard's queries are checked with. */
export function variableRenderings(dashboard: DashboardJson): VariableValues[] {
  const base: Record<string, VariableValue> = {};
  const variants: Array<[string, VariableValue]> = [];
  for (const variable of dashboard.templating.list) {
    if (variable.type === 'datasource') continue;
    if (variable.type === 'custom') {
      const options = (variable.options ?? []).map((option) => option.value);
      if (options.length === 0) throw new Error(`custom variable ${variable.name} has no options`);
      base[variable.name] = options[0]!;
      for (const option of options.slice(1)) variants.push([variable.name, option]);
      continue;
    }
    const sample = SAMPLE_VALUES[variable.name];
    if (!sample) throw new Error(`${dashboard.uid}: no sample value for variable ${variable.name} in test/grafana/helpers/sample-variables.ts`);
    if (variable.multi) {
      base[variable.name] = [...sample];
      variants.push([variable.name, [sample[0]]]);
    } else {
      base[variable.name] = sample[0];
    }
  }
  return [base, ...variants.map(([name, value]) => ({ ...base, [name]: value }))];
}
