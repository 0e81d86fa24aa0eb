/** `llmbench push RUN_DIR [influx flags]`: replay a run directory (and its spill files) into InfluxDB. */
import { Command, Option } from 'commander';
import { UsageError } from '../../pipeline/core/errors.js';
import { resolveInfluxConfig } from '../../pipeline/sinks/influx-config.js';
import { addInfluxOptions, influxSettingsOf, type InfluxFlags } from '../influx-options.js';
import { pushRun } from '../../pipeline/sinks/push-run.js';

export function pushCommand(): Command {
  const command = new Command('push')
    .description('replay a run directory into InfluxDB (same points and timestamps: pushing twice changes nothing)')
    .argument('<run-dir>', 'a directory written by `llmbench run`');
  return addInfluxOptions(command)
    .addOption(new Option('--json', 'print the push report as JSON on stdout'))
    .action(async (runDir: string, options: InfluxFlags & { json?: boolean }) => {
      const config = await resolveInfluxConfig(influxSettingsOf(options), process.env);
      if (!config) {
        throw new UsageError('push needs an InfluxDB to push to', {
          hint: 'pass --influx-url URL --influx-org ORG --influx-bucket B [--influx-token-file F], or set INFLUX_URL/INFLUX_ORG/INFLUX_BUCKET/INFLUX_TOKEN',
        });
      }
      const report = await pushRun(runDir, config, { onNotice: (line) => process.stderr.write(`influxdb: ${line}\n`) });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const total = Object.values(report.points).reduce((sum, n) => sum + n, 0);
      const parts = Object.entries(report.points).map(([measurement, n]) => `${measurement} ${n}`).join(', ');
      process.stdout.write(`pushed ${report.complete ? 'run' : 'incomplete run (it never ended)'} ${report.runId} to ${report.url} bucket ${report.bucket}: ${total} points (${parts})\n`);
      if (report.skippedLines > 0) process.stdout.write(`skipped ${report.skippedLines} torn last line(s) (the run was killed while writing)\n`);
      if (report.spillFiles > 0) process.stdout.write(`replayed ${report.spillLines} spilled points from ${report.spillFiles} files first\n`);
      if (report.retried > 0) process.stdout.write(`${report.retried} points needed a retry (${report.failedRequests} failed requests); none lost\n`);
    });
}
