/**
 * `llmbench scenarios list | show NAME | validate FILE… | schema`: the presets and scenario files, without
 * running anything. Thin over pipeline/scenario; errors go to cli/main.ts, which sets the exit code.
 */
import { Command } from 'commander';
import { Document, isScalar, isSeq, visit } from 'yaml';
import { ScenarioError } from '../../pipeline/core/errors.js';
import { compilePhases } from '../../pipeline/scenario/compile.js';
import { describeLoad } from '../../pipeline/scenario/describe.js';
import { loadScenario } from '../../pipeline/scenario/load.js';
import { presetNames } from '../../pipeline/scenario/presets.js';
import { scenarioJsonSchemaText } from '../../pipeline/scenario/json-schema.js';

export function scenariosCommand(): Command {
  const command = new Command('scenarios').description('list, show and validate load scenarios');

  command
    .command('list')
    .description('the preset scenarios, each with its description and load')
    .action(async () => {
      const presets = await Promise.all(presetNames().map((name) => loadScenario(name)));
      const width = Math.max(...presets.map((preset) => preset.name.length));
      for (const preset of presets) {
        process.stdout.write(`${preset.name.padEnd(width)}  ${preset.description ?? ''}\n`);
        process.stdout.write(`${' '.repeat(width)}  ${describeLoad(preset.load)}\n`);
      }
    });

  command
    .command('show')
    .description('a preset or file as resolved: extends applied, defaults filled')
    .argument('<scenario>', 'a preset name or a YAML file')
    .action(async (reference: string) => {
      const scenario = await loadScenario(reference);
      process.stdout.write(toYaml(scenario));
    });

  command
    .command('validate')
    .description('check scenario files; exit 2 if any is invalid')
    .argument('<files...>', 'YAML files (or preset names)')
    .action(async (files: string[]) => {
      let invalid = 0;
      for (const file of files) {
        try {
          const scenario = await loadScenario(file);
          compilePhases(scenario); // catches what only a schedule shows (e.g. too many arrivals)
          process.stdout.write(`ok       ${file}  (${describeLoad(scenario.load)})\n`);
        } catch (error) {
          if (!(error instanceof ScenarioError)) throw error;
          invalid++;
          process.stdout.write(`invalid  ${file}\n${indent(error.message)}\n`);
          if (error.hint) process.stdout.write(`${indent(`hint: ${error.hint}`)}\n`);
        }
      }
      if (invalid > 0) {
        throw new ScenarioError('SCENARIO_INVALID', `${invalid} of ${files.length} scenario file${files.length === 1 ? ' is' : 's are'} invalid`);
      }
    });

  command
    .command('schema')
    .description('print the JSON Schema of the scenario format (scenarios/scenario.schema.json)')
    .action(() => {
      process.stdout.write(scenarioJsonSchemaText());
    });

  return command;
}

/** Block YAML, with lists of numbers and the small {duration, target} stage maps on one line each. */
function toYaml(value: unknown): string {
  const document = new Document(value);
  visit(document, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
    Map(_, node, path) {
      if (isSeq(path[path.length - 1]) && node.items.every((pair) => isScalar(pair.value))) node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0 });
}

function indent(text: string): string {
  return text.split('\n').map((line) => `    ${line}`).join('\n');
}
