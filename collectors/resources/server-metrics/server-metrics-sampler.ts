/**
 * Scrapes the engine's Prometheus `/metrics` at each tick → `engine_metric` points (tags run_id, engine,
 * metric; field value). Counters are recorded as the engine reports them (cumulative); the summary gives
 * their change over the run. An unreachable URL is said once; the monitor keeps retrying quietly and counts.
 */
import type { EngineKind } from '../../../pipeline/core/engine.js';
import type { Point } from '../../../pipeline/core/point.js';
import { parsePrometheusText, PrometheusScraper } from '../prometheus-text.js';
import { oneLine, type Sampler, type SampleTick } from '../sampler.js';
import { detectPreset, engineMetricValues, presetLines } from './engine-metrics.js';
import { presetFor, type EngineMetricsPreset } from './presets.js';

export type ServerMetricsSetting = 'auto' | 'off' | string;

/**
 * Where to scrape: an explicit URL; `auto` = the engine's base URL (a trailing /v1 removed: OpenAI-style base
 * URLs carry it, /metrics lives at the root) + /metrics; nothing for `off` or engines without metrics.
 */
export function serverMetricsUrl(
  setting: ServerMetricsSetting,
  engine: EngineKind | undefined,
  baseUrl: string | undefined,
): { url: string } | { off: string | undefined } {
  if (setting === 'off') return { off: undefined };
  if (setting !== 'auto') return { url: setting };
  if (engine === 'ollama') return { off: 'Ollama has no Prometheus /metrics endpoint' };
  if (!baseUrl) return { off: undefined };
  return { url: `${baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/metrics` };
}

export class ServerMetricsSampler implements Sampler {
  readonly name = 'engine_metric';
  readonly source = 'prometheus';
  failingSinceStart = false;
  readonly #scraper: PrometheusScraper;
  #preset: EngineMetricsPreset | undefined;

  constructor(
    url: string,
    timeoutMs: number,
    private readonly runId: string,
    private readonly engine: EngineKind | undefined,
  ) {
    this.#scraper = new PrometheusScraper(url, timeoutMs);
    this.#preset = presetFor(engine);
  }

  get url(): string {
    return this.#scraper.url;
  }

  get preset(): EngineMetricsPreset | undefined {
    return this.#preset;
  }

  /** One scrape at start: says which URL and preset are in use, or why it fails (and keeps retrying). */
  async probe(onNotice: (line: string) => void): Promise<void> {
    try {
      const values = this.#values(await this.#scraper.scrape());
      onNotice(`Server metrics: scraping ${this.url} (${this.#preset!.engine} preset, ${values.length} metrics found)`);
    } catch (error) {
      onNotice(`Server metrics: ${oneLine(error)}; retrying each interval quietly`);
      this.failingSinceStart = true;
    }
  }

  async sample(tick: SampleTick): Promise<readonly Point[]> {
    return this.#values(await this.#scraper.scrape(tick.signal)).map(({ metric, value }) => ({
      measurement: 'engine_metric',
      tags: { run_id: this.runId, engine: this.engine ?? this.#preset!.engine, metric },
      fields: { value },
      time_ms: tick.timeMs,
    }));
  }

  async stop(): Promise<void> {
    await this.#scraper.close();
  }

  #values(text: string) {
    if (!this.#preset) {
      this.#preset = detectPreset(parsePrometheusText(text));
      if (!this.#preset) throw new Error(`${this.url} has no vLLM, TGI, llama.cpp or SGLang metrics`);
    }
    return engineMetricValues(parsePrometheusText(presetLines(text, this.#preset)), this.#preset);
  }
}
