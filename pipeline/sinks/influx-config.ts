/**
 * Where InfluxDB is and how to authenticate: flags first, then INFLUX_URL / INFLUX_ORG / INFLUX_BUCKET /
 * INFLUX_TOKEN. The token lives in a `Secret` that prints, serialises and inspects as "[redacted]", so a
 * config that ends up in a log line, an error or run.json cannot leak it; only the HTTP layer reveals it.
 */
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { UsageError } from '../core/errors.js';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The only way to the value. Call it where the value is sent, nowhere else. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

export interface InfluxConfig {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8086 */
  readonly url: string;
  readonly org: string;
  readonly bucket: string;
  /** Absent for servers without auth (VictoriaMetrics, a dev InfluxDB 1.x). */
  readonly token?: Secret;
}

/** What the user said about InfluxDB (`--influx-url`, `--influx-org`, `--influx-bucket`, `--influx-token-file`). */
export interface InfluxSettings {
  readonly url?: string;
  readonly org?: string;
  readonly bucket?: string;
  readonly tokenFile?: string;
}

/**
 * The InfluxDB settings, or undefined when no URL is configured (the sink is off). Throws UsageError (exit 2)
 * for an incomplete or malformed configuration, naming the flag and the variable that fix it.
 */
export async function resolveInfluxConfig(
  settings: InfluxSettings,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<InfluxConfig | undefined> {
  const url = nonEmpty(settings.url) ?? nonEmpty(env.INFLUX_URL);
  if (url === undefined) {
    const stray = (['org', 'bucket', 'tokenFile'] as const).filter((key) => settings[key] !== undefined);
    if (stray.length > 0) {
      throw new UsageError(`${stray.map(flagName).join(', ')} given without an InfluxDB URL`, {
        hint: 'add --influx-url URL (or set INFLUX_URL), or drop the other --influx-* flags',
      });
    }
    return undefined;
  }
  const org = nonEmpty(settings.org) ?? nonEmpty(env.INFLUX_ORG);
  const bucket = nonEmpty(settings.bucket) ?? nonEmpty(env.INFLUX_BUCKET);
  const missing = [org === undefined ? '--influx-org (or INFLUX_ORG)' : '', bucket === undefined ? '--influx-bucket (or INFLUX_BUCKET)' : ''].filter(Boolean);
  if (missing.length > 0) {
    throw new UsageError(`InfluxDB at ${redactUrl(url)} needs ${missing.join(' and ')}`, {
      hint: 'InfluxDB 2.x writes go to an organisation and a bucket; see `influx bucket list`',
    });
  }
  const token = settings.tokenFile !== undefined ? await readTokenFile(settings.tokenFile) : nonEmpty(env.INFLUX_TOKEN);
  return { url: normaliseUrl(url), org: org!, bucket: bucket!, ...(token !== undefined ? { token: new Secret(token) } : {}) };
}

/** The URL as it may be shown: no user info, no query string. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    // The cause's message names only the path; still, keep it out of the message text.
    throw new UsageError(`cannot read the InfluxDB token file ${path} (${code})`, {
      hint: 'pass a readable file to --influx-token-file, or set INFLUX_TOKEN',
    });
  }
  const token = text.trim();
  if (token === '') {
    throw new UsageError(`the InfluxDB token file ${path} is empty`, { hint: 'write the token (and nothing else) into it' });
  }
  return token;
}

function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not echoed: an unparseable URL may still carry credentials.
    throw new UsageError('--influx-url (or INFLUX_URL) is not a URL', {
      hint: 'use a base URL such as http://127.0.0.1:8086',
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--influx-url must be http:// or https://, got ${parsed.protocol}`, { hint: 'use a base URL such as http://127.0.0.1:8086' });
  }
  if (parsed.username || parsed.password) {
    throw new UsageError('--influx-url must not carry credentials', { hint: 'put the token in --influx-token-file or INFLUX_TOKEN' });
  }
  if (/\/api\/v2\/?$/.test(parsed.pathname)) {
    throw new UsageError(`--influx-url should be the server's base URL, not its API path: ${redactUrl(url)}`, {
      hint: `use ${parsed.origin}`,
    });
  }
  return url.replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function flagName(key: keyof InfluxSettings): string {
  return `--influx-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
