/**
 * The InfluxDB source of `report`, `compare` and `trend` (DESIGN §8, §11): used when `--influx-url` is given on the
 * command line, with the org, bucket and token from the other --influx-* flags or the INFLUX_* variables. INFLUX_URL
 * alone does not switch a command's source: the stack's .env sets it for the live sink of every run, and
 * `llmbench report runs/x` must keep reading the directory. The queries are Flux: InfluxDB 2.x only
 * (VictoriaMetrics accepts InfluxDB writes but not Flux).
 */
import { resolveInfluxConfig } from '../pipeline/sinks/influx-config.js';
import { FluxSource } from '../analytics/flux-source.js';
import { influxSettingsOf, type InfluxFlags } from './influx-options.js';

export async function fluxSourceOf(flags: InfluxFlags): Promise<FluxSource | undefined> {
  if (flags.influxUrl === undefined) return undefined;
  const config = await resolveInfluxConfig(influxSettingsOf(flags), process.env);
  if (!config) return undefined;
  return FluxSource.connect({ url: config.url, org: config.org, bucket: config.bucket, ...(config.token ? { token: config.token.reveal() } : {}) });
}
