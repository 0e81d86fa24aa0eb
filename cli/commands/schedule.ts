/**
 * `llmbench schedule --cron EXPR [--tz ZONE] [SCENARIO] [run flags]` (DESIGN §11): the scenario at every tick into
 * `--runs-dir DIR/<run_id>/` (and InfluxDB when configured), one run at a time, each compared with the scenario's
 * recent runs (scheduled-run.ts). SIGINT or SIGTERM cancels the run going (it ends `aborted`, as Ctrl-C ends a run)
 * and exits 0 once it has been written; a second signal exits at once.
 */
import { Command } from 'commander';
import { flagGiven, positiveInt, positiveRateOrInf } from '../parse-flags.js';
import { planRun } from '../prepare-run.js';
import { exitCodeOf } from '../run-signals.js';
import type { RunFlags } from '../run-flags.js';
import { addRunOptions } from '../run-options.js';
import { scheduledRun } from '../scheduled-run.js';
import { Scheduler } from '../scheduler.js';

interface ScheduleFlags extends RunFlags {
  cron: string;
  tz?: string;
  runsDir: string;
  baselineRuns: string;
  maxRuns?: string;
}

export function scheduleCommand(): Command {
  const command = new Command('schedule')
    .description('run a scenario on a cron schedule, one run at a time, each compared with the recent runs; logs and records regressions')
    .argument('[scenario]', 'a preset name or a YAML file, as for `llmbench run`')
    .requiredOption('--cron <expr>', 'when to run: 5 fields, or 6 with seconds first (e.g. "0 2 * * *": 02:00 every day)')
    .option('--tz <zone>', 'the time zone of --cron (IANA name, e.g. Europe/Berlin; default: the system\'s)')
    .option('--runs-dir <dir>', 'the run directory root: each run writes DIR/<run_id>/', 'runs')
    .option('--baseline-runs <n>', 'how many recent runs of the scenario and workload a new run is compared with', '5')
    .option('--max-runs <n>', 'exit 0 after this many runs (default: run until stopped)');
  addRunOptions(command);
  return command.option('--quiet', 'no progress lines from the runs').action(async (scenario: string | undefined, flags: ScheduleFlags, self: Command) => {
    flags.streamGiven = flagGiven(self, 'stream');
    if (flags.workers !== undefined) positiveInt(flags.workers, '--workers');
    if (flags.userSendRate !== undefined) positiveRateOrInf(flags.userSendRate, '--user-send-rate');
    const baselineRuns = positiveInt(flags.baselineRuns, '--baseline-runs');
    const maxRuns = flags.maxRuns !== undefined ? positiveInt(flags.maxRuns, '--max-runs') : undefined;
    // Scenario, flags and InfluxDB settings checked once, now: a mistake exits 2 before the first tick.
    const planned = await planRun(scenario, flags);
    const log = (line: string) => process.stderr.write(`[${new Date().toISOString()}] ${line}\n`);
    log(`scenario ${planned.scenario.name}: ${planned.plan.target.engine} at ${planned.plan.target.url}, model ${planned.plan.target.model}; runs into ${flags.runsDir}/<run_id>/${planned.influx ? ' and InfluxDB' : ''}`);
    const scheduler: Scheduler = new Scheduler({
      cron: flags.cron,
      ...(flags.tz !== undefined ? { timezone: flags.tz } : {}),
      ...(maxRuns !== undefined ? { maxRuns } : {}),
      log,
      tick: (signal) => scheduledRun(scenario, flags, { runsDir: flags.runsDir, baselineRuns, log, signal }),
    });
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        log(`${signal} again: exiting now; the run going keeps what it wrote (llmbench report reads it as incomplete)`);
        process.exit(exitCodeOf(signal));
      }
      signalled = signal;
      void scheduler.stop(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      scheduler.start();
      await scheduler.finished();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
