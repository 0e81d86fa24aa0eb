/**
 * YAML → plain data, safely: the core schema only (no custom or language-specific tags), duplicate keys
 * refused, alias expansion bounded by the yaml package's default (billion-laughs guard). Syntax errors
 * become SCENARIO_INVALID with line:col.
 */
import { parseDocument } from 'yaml';
import { ScenarioError } from '../core/errors.js';

export function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true });
  // An unknown tag (`!foo`, `!!js/function`) is only a warning to the yaml package; for us it is an error.
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    const lines = problems.map((problem) => {
      const position = problem.linePos?.[0];
      const where = position ? `${source}:${position.line}:${position.col}` : source;
      return `  ${where}: ${firstLine(problem.message)}`;
    });
    throw new ScenarioError('SCENARIO_INVALID', `${source} is not valid YAML:\n${lines.join('\n')}`, {
      hint: 'YAML is indentation-sensitive; quote values that contain ":" or "#"',
    });
  }
  return document.toJS({ maxAliasCount: 100 });
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
