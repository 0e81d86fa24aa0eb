/**
 * Before any load: is InfluxDB there, does it take our token, does the bucket exist? Each failure is a
 * SinkError('SINK_UNAVAILABLE') (exit 4) that says what is wrong and how to fix it.
 *
 * The probe is a write of zero points: InfluxDB 2 checks the token (401), the organisation and bucket (404)
 * and the token's write permission (403) before it parses the body, so an empty body tests exactly what a
 * real write needs and stores nothing. VictoriaMetrics accepts anything, which is right for it.
 */
import { SinkError } from '../core/errors.js';
import { redactUrl, type InfluxConfig } from './influx-config.js';
import type { InfluxHttp } from './influx-http.js';

export interface PreflightResult {
  /** Which health endpoint answered. */
  readonly health: '/health' | '/ping';
}

export async function preflightInflux(http: InfluxHttp, config: InfluxConfig): Promise<PreflightResult> {
  const where = redactUrl(config.url);
  let health: PreflightResult['health'] = '/health';
  let answer = await http.get('/health');
  if (answer.status === 404) {
    // InfluxDB 1.8 and some proxies only have /ping.
    health = '/ping';
    answer = await http.get('/ping');
  }
  if (answer.status === 0) {
    throw new SinkError('SINK_UNAVAILABLE', `InfluxDB at ${where} is unreachable (${answer.message})`, {
      hint: 'check --influx-url / INFLUX_URL, or start it: `docker compose up -d influxdb`',
    });
  }
  if (answer.status >= 300) {
    throw new SinkError('SINK_UNAVAILABLE', `InfluxDB at ${where} is not healthy: ${health} answered ${answer.status} ${answer.message}`.trim(), {
      hint: 'wait for it to finish starting (`docker compose logs influxdb`), or check that the URL points at InfluxDB',
    });
  }

  let probe = await http.write('');
  // A keep-alive socket the server closed between the two requests resets once; a fresh one settles it.
  if (!probe.ok && probe.status === undefined) probe = await http.write('');
  if (probe.ok || probe.status === 400) return { health }; // 400 = it got as far as parsing: token and bucket are fine
  const target = `bucket "${config.bucket}" of org "${config.org}" at ${where}`;
  if (probe.status === undefined) {
    throw new SinkError('SINK_UNAVAILABLE', `InfluxDB at ${where} stopped answering during the preflight (${probe.message})`, {
      hint: 'check that the server is up and not restarting (`docker compose ps`)',
    });
  }
  switch (probe.status) {
    case 401:
      throw new SinkError('SINK_UNAVAILABLE', `InfluxDB rejected the token for ${target} (401 unauthorized)`, {
        hint: config.token
          ? 'check the token in --influx-token-file / INFLUX_TOKEN (`influx auth list` shows valid ones)'
          : 'this server needs a token: pass --influx-token-file FILE or set INFLUX_TOKEN',
      });
    case 403:
      throw new SinkError('SINK_UNAVAILABLE', `the InfluxDB token may not write to ${target} (403 forbidden)`, {
        hint: 'use a token with write permission on the bucket (`influx auth create --write-bucket BUCKET_ID`)',
      });
    case 404:
      throw new SinkError('SINK_UNAVAILABLE', `InfluxDB has no ${target} (${probe.message})`, {
        hint: `create it (\`influx bucket create --name ${config.bucket} --org ${config.org}\`) or fix --influx-bucket / --influx-org`,
      });
    default:
      throw new SinkError('SINK_UNAVAILABLE', `InfluxDB at ${where} refused a test write to ${target} (${probe.message})`, {
        hint: 'check the server logs; the run was not started',
      });
  }
}
