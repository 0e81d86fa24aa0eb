/**
 * The CLI: commander wiring only. Each command lives in cli/commands/<name>.ts and calls the programmatic
 * API; this file is the one place that prints errors and sets exit codes (DESIGN §12).
 */
import { Command, CommanderError } from 'commander';
import { BenchError } from '../pipeline/core/errors.js';
import { toolVersion } from '../pipeline/core/version.js';
import { compareCommand } from './commands/compare.js';
import { mergeCommand } from './commands/merge.js';
import { monitorCommand } from './commands/monitor.js';
import { pushCommand } from './commands/push.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { demoCommand } from './commands/demo.js';
import { scenariosCommand } from './commands/scenarios.js';
import { scheduleCommand } from './commands/schedule.js';
import { simCommand } from './commands/sim.js';
import { trendCommand } from './commands/trend.js';

// Commands register here, one import each.
const commands: Array<() => Command> = [
  runCommand,
  compareCommand,
  demoCommand,
  mergeCommand,
  monitorCommand,
  pushCommand,
  reportCommand,
  scenariosCommand,
  scheduleCommand,
  simCommand,
  trendCommand,
];

export function buildProgram(): Command {
  const program = new Command('llmbench')
    .description('Benchmark and load-test LLM inference servers with correct per-request metrics')
    .version(toolVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const make of commands) program.addCommand(make());
  // addCommand() does not pass exitOverride down: without this a subcommand's usage error would call
  // process.exit(1) itself instead of reaching main() and exiting 2.
  const override = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed the message; help/version exit 0.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof BenchError) {
    console.error(`error[${error.code}]: ${error.message}`);
    if (error.hint) console.error(`hint: ${error.hint}`);
    return error.exitCode;
  }
  console.error('unexpected error:', error);
  return 1;
}
