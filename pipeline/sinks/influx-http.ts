/**
 * HTTP to InfluxDB through the real client's transport (`InfluxDB#transport`): its `Authorization: Token …`
 * header, its gzip of bodies above a threshold (zlib on the libuv pool, off the main thread) and its HttpError
 * with status and headers. Retrying is not left to the client (its WriteApi drops points when an outage
 * outlasts its retry budget, see batch-writer.ts); this layer only sends once and says what happened.
 *
 * The client logs through a global logger (a stack per failed retry by default). We do not use its WriteApi,
 * but replace the logger anyway so nothing from the library reaches the terminal: NODE_DEBUG=llmbench shows it.
 */
import http from 'node:http';
import https from 'node:https';
import { debuglog } from 'node:util';
import { HttpError, InfluxDB, RequestTimedOutError, setLogger } from '@influxdata/influxdb-client';
import type { InfluxConfig } from './influx-config.js';

const debug = debuglog('llmbench');

/** Routes the client's global logger to NODE_DEBUG=llmbench (idempotent; called when a client is made). */
export function quietInfluxClientLogs(): void {
  setLogger({
    error: (message, error) => debug('influxdb-client error: %s %s', message, describe(error)),
    warn: (message, error) => debug('influxdb-client warn: %s %s', message, describe(error)),
  });
}

export type WriteOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Worth sending again later (overload, outage, timeout); false = the server will keep refusing it. */
      readonly retryable: boolean;
      /** HTTP status; undefined when no response came (refused, reset, timeout). */
      readonly status?: number;
      readonly message: string;
      /** From a Retry-After header. */
      readonly retryAfterMs?: number;
    };

export interface GetOutcome {
  /** 0 when no response came. */
  readonly status: number;
  readonly body: string;
  readonly message: string;
}

export interface InfluxHttp {
  /** POSTs line protocol to /api/v2/write (precision ns). Never throws. */
  write(body: string): Promise<WriteOutcome>;
  /** GET of a server path such as /health. Never throws. */
  get(path: string): Promise<GetOutcome>;
  close(): void;
}

export interface InfluxHttpOptions {
  /** Socket timeout of one request. */
  readonly timeoutMs?: number;
  /** Bodies larger than this are gzip'd. */
  readonly gzipThresholdBytes?: number;
}

/** Statuses where the same body may succeed later (the client's own list, minus 404: a missing bucket stays missing). */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

export function createInfluxHttp(config: InfluxConfig, options: InfluxHttpOptions = {}): InfluxHttp {
  quietInfluxClientLogs();
  const https_ = config.url.startsWith('https:');
  const agent = https_ ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const client = new InfluxDB({
    url: config.url,
    ...(config.token ? { token: config.token.reveal() } : {}),
    timeout: options.timeoutMs ?? 10_000,
    transportOptions: { agent },
  });
  const writePath = `/api/v2/write?org=${encodeURIComponent(config.org)}&bucket=${encodeURIComponent(config.bucket)}&precision=ns`;
  const gzipThreshold = options.gzipThresholdBytes ?? 1000;

  return {
    async write(body) {
      try {
        await client.transport.request(writePath, body, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          gzipThreshold,
        });
        return { ok: true };
      } catch (error) {
        return classify(error, options.timeoutMs ?? 10_000);
      }
    },
    async get(path) {
      try {
        let status = 0;
        const body: unknown = await client.transport.request(path, '', { method: 'GET' }, (_headers, statusCode) => {
          status = statusCode ?? 0;
        });
        return { status, body: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body), message: '' };
      } catch (error) {
        if (error instanceof HttpError) return { status: error.statusCode, body: error.body ?? '', message: shorten(error.message) };
        return { status: 0, body: '', message: describe(error) };
      }
    },
    close() {
      agent.destroy();
    },
  };
}

function classify(error: unknown, timeoutMs: number): WriteOutcome {
  if (error instanceof HttpError) {
    const retryAfterSeconds = Number(error.headers?.['retry-after']);
    return {
      ok: false,
      retryable: RETRYABLE_STATUSES.has(error.statusCode) || error.statusCode >= 500,
      status: error.statusCode,
      message: `${error.statusCode} ${shorten(error.message)}`,
      ...(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? { retryAfterMs: retryAfterSeconds * 1000 } : {}),
    };
  }
  if (error instanceof RequestTimedOutError) return { ok: false, retryable: true, message: `no answer within ${timeoutMs} ms` };
  // Connection refused/reset, DNS, an aborted response: the server may be back later.
  return { ok: false, retryable: true, message: describe(error) };
}

function describe(error: unknown): string {
  if (error === undefined) return '';
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return shorten(typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message);
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine;
}
