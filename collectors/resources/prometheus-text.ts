/**
 * Prometheus text exposition: fetching it (one keep-alive connection per target, separate from the load's
 * connection pool) and parsing it with parse-prometheus-text-format rather than by hand. Shared by the DCGM
 * GPU source and the engine-metrics scraper.
 *
 * Known limit of the library: histogram `_sum`/`_count` and labels are lost when they carry labels, so callers
 * use gauges and counters only (every preset metric is one of those).
 */
import { createRequire } from 'node:module';
import { Agent, request } from 'undici';

export interface PrometheusSample {
  readonly value?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PrometheusFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'GAUGE' | 'COUNTER' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: readonly PrometheusSample[];
}

// The package is CommonJS without type declarations; createRequire keeps its typing local to this file.
const parseText = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PrometheusFamily[];

export function parsePrometheusText(text: string): PrometheusFamily[] {
  // The library drops a last sample line that has no newline after it.
  return parseText(text.endsWith('\n') ? text : `${text}\n`);
}

/** Numeric value of a gauge/counter/untyped sample; undefined for NaN, ±Inf or absent. */
export function sampleValue(sample: PrometheusSample): number | undefined {
  if (sample.value === undefined) return undefined;
  const value = Number(sample.value);
  return Number.isFinite(value) ? value : undefined;
}

/** GETs one exposition page; throws an Error whose message is one line naming the URL and what went wrong. */
export class PrometheusScraper {
  readonly #agent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async scrape(signal?: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(this.url, {
        dispatcher: this.#agent,
        signal: combined,
        headers: { accept: 'text/plain;version=0.0.4' },
      });
    } catch (error) {
      const reason = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(error);
      throw new Error(`${this.url} unreachable: ${reason}`, { cause: error });
    }
    const body = await response.body.text();
    if (response.statusCode !== 200) {
      throw new Error(`${this.url} answered HTTP ${response.statusCode}${body ? `: ${body.trim().slice(0, 120)}` : ''}`);
    }
    return body;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
