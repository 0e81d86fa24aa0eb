// The `llmbench scenarios` command (cli/commands/scenarios.ts), driven in-process. The error-to-exit mapping
// is cli/main.ts's (BenchError.exitCode); it is reproduced here so this test does not depend on every other
// command main.ts wires in.
import test from 'ava';
import { Command } from 'commander';
import { scenariosCommand } from '../../../cli/commands/scenarios.js';
import { BenchError } from '../../../pipeline/core/errors.js';
import { fixture } from './helpers.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const program = new Command('llmbench').exitOverride().addCommand(scenariosCommand());
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (!(error instanceof BenchError)) throw error;
    stderr += `error[${error.code}]: ${error.message}\n`;
    return { code: error.exitCode, stdout, stderr };
  } finally {
    process.stdout.write = write;
  }
}

test.serial('scenarios list: the five presets with descriptions and loads', async (t) => {
  const { code, stdout } = await run(['scenarios', 'list']);
  t.is(code, 0);
  for (const name of ['quick', 'stress', 'spike', 'endurance', 'sweep']) t.regex(stdout, new RegExp(`^${name} +\\S`, 'm'));
  t.regex(stdout, /constant-concurrency · 5 users · 1m/);
  t.regex(stdout, /ramping-concurrency · 10→100→10 users/);
  t.regex(stdout, /sweep · concurrency 1…128 users \(8 levels\)/);
});

test.serial('scenarios show: the resolved YAML', async (t) => {
  const { code, stdout } = await run(['scenarios', 'show', fixture('my-spike.yaml')]);
  t.is(code, 0);
  t.regex(stdout, /^name: my-spike$/m);
  t.regex(stdout, /^ {2}start_target: 10$/m);
  t.regex(stdout, /- \{ duration: 10s, target: 100 \}/);
  t.notRegex(stdout, /extends/);
});

test.serial('scenarios validate: ok files pass with exit 0', async (t) => {
  const { code, stdout } = await run(['scenarios', 'validate', fixture('my-spike.yaml'), 'quick']);
  t.is(code, 0);
  t.regex(stdout, /^ok +.*my-spike\.yaml/m);
  t.regex(stdout, /^ok +quick/m);
});

test.serial('scenarios validate: an invalid file exits 2 and names every problem', async (t) => {
  const { code, stdout, stderr } = await run(['scenarios', 'validate', fixture('invalid-three.yaml'), 'quick']);
  t.is(code, 2);
  t.regex(stdout, /^invalid +.*invalid-three\.yaml/m);
  t.regex(stdout, /load\.users: must be ≥ 1/);
  t.regex(stdout, /load\.duration: "ten seconds" is not a duration/);
  t.regex(stdout, /load\.colour: unknown key/);
  t.regex(stdout, /^ok +quick/m);
  t.regex(stderr, /error\[SCENARIO_INVALID\]: 1 of 2 scenario files are invalid/);
});

test.serial('scenarios show of an unknown name exits 2 listing the presets', async (t) => {
  const { code, stderr } = await run(['scenarios', 'show', 'nope']);
  t.is(code, 2);
  t.regex(stderr, /error\[SCENARIO_NOT_FOUND\]: .*presets: endurance, quick, spike, stress, sweep/);
});
