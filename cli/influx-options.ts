/** The InfluxDB flags shared by run, push, compare, trend and schedule, and their typed settings. */
import { Option, type Command } from 'commander';
import type { InfluxSettings } from '../pipeline/sinks/influx-config.js';

/** The commander option values (camelCase) of addInfluxOptions. */
export interface InfluxFlags {
  readonly influxUrl?: string;
  readonly influxOrg?: string;
  readonly influxBucket?: string;
  readonly influxTokenFile?: string;
}

export function addInfluxOptions(command: Command): Command {
  return command
    .addOption(new Option('--influx-url <url>', 'InfluxDB 2.x base URL (or INFLUX_URL); enables the InfluxDB sink'))
    .addOption(new Option('--influx-org <org>', 'InfluxDB organisation (or INFLUX_ORG)'))
    .addOption(new Option('--influx-bucket <bucket>', 'InfluxDB bucket (or INFLUX_BUCKET)'))
    .addOption(new Option('--influx-token-file <file>', 'file holding the InfluxDB token (or INFLUX_TOKEN); never printed'));
}

export function influxSettingsOf(flags: InfluxFlags): InfluxSettings {
  return {
    ...(flags.influxUrl !== undefined ? { url: flags.influxUrl } : {}),
    ...(flags.influxOrg !== undefined ? { org: flags.influxOrg } : {}),
    ...(flags.influxBucket !== undefined ? { bucket: flags.influxBucket } : {}),
    ...(flags.influxTokenFile !== undefined ? { tokenFile: flags.influxTokenFile } : {}),
  };
}
