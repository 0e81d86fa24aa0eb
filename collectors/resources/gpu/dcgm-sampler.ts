/**
 * GPU sampling from a DCGM exporter (or any Prometheus URL with DCGM names) for GPUs on another host: scraped
 * at each tick. The `host` tag is the exporter's host when its page names one.
 */
import type { Point } from '../../../pipeline/core/point.js';
import { parsePrometheusText, PrometheusScraper } from '../prometheus-text.js';
import { SamplerUnavailable, oneLine, type Sampler, type SampleTick } from '../sampler.js';
import { dcgmReadings } from './dcgm-prometheus.js';
import { gpuPoint } from './gpu-reading.js';

export class DcgmSampler implements Sampler {
  readonly name = 'gpu';
  readonly source = 'prometheus';
  failingSinceStart = false;
  readonly #scraper: PrometheusScraper;

  constructor(
    url: string,
    timeoutMs: number,
    private readonly tags: Readonly<Record<string, string>>,
  ) {
    this.#scraper = new PrometheusScraper(url, timeoutMs);
  }

  get url(): string {
    return this.#scraper.url;
  }

  /** One scrape up front so a wrong URL is said at start; throws SamplerUnavailable with the reason. */
  async probe(): Promise<number> {
    let text: string;
    try {
      text = await this.#scraper.scrape();
    } catch (error) {
      throw new SamplerUnavailable(oneLine(error), { cause: error });
    }
    const count = dcgmReadings(parsePrometheusText(text)).length;
    if (count === 0) throw new SamplerUnavailable(`${this.url} has no DCGM_FI_DEV_* metrics with a gpu label`);
    return count;
  }

  async sample(tick: SampleTick): Promise<readonly Point[]> {
    const readings = dcgmReadings(parsePrometheusText(await this.#scraper.scrape(tick.signal)));
    return readings.map(({ reading, host }) =>
      gpuPoint(reading, host === undefined ? this.tags : { ...this.tags, host }, tick.timeMs),
    );
  }

  async stop(): Promise<void> {
    await this.#scraper.close();
  }
}
