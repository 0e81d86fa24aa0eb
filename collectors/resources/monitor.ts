/**
 * Resource monitoring for a run (DESIGN §7): `createMonitor(options)` composes the samplers the options ask
 * for behind core's RunMonitor. Start it before the load, stop it after; between, one timer on the run clock
 * ticks every interval and hands each sampler its tick without waiting for it, so nothing here sits on the
 * request path. Every missing tool or unreachable endpoint is one notice line; the run always goes on.
 */
import type { MonitorContext, RunMonitor } from '../../pipeline/core/monitor.js';
import type { Point } from '../../pipeline/core/point.js';
import { openContainerSampler } from './docker/container-sampler.js';
import { dockerEndpoint } from './docker/docker-client.js';
import { openGpuSampler } from './gpu/open-gpu-sampler.js';
import { openHostSampler } from './host/host-sampler.js';
import { resolveMonitorOptions, type MonitorOptions, type ResolvedMonitorOptions } from './monitor-options.js';
import { ClientProcessSampler } from './process/client-process-sampler.js';
import { openEngineProcessSampler } from './process/engine-process-sampler.js';
import { ResourceSummaryBuilder, type GpuEnergy, type SeriesSummary } from './resource-summary.js';
import { SamplerUnavailable, oneLine, type Sampler } from './sampler.js';
import { SamplerRunner, type SamplerReport } from './sampler-runner.js';
import { ServerMetricsSampler, serverMetricsUrl } from './server-metrics/server-metrics-sampler.js';
import { TickLoop } from './tick-loop.js';

export type { MonitorOptions } from './monitor-options.js';

/** run.json `resources`. */
export interface ResourcesSummary extends Record<string, unknown> {
  interval_ms: number;
  origin_ms: number;
  started_at_ms: number;
  stopped_at_ms: number;
  ticks: number;
  ticks_missed: number;
  /** Per sampler label ("GPU", "Host", …): which source and how it went. */
  samplers: Record<string, SamplerReport>;
  series: SeriesSummary[];
  gpu_energy: GpuEnergy | null;
  notices: string[];
}

export function createMonitor(options: MonitorOptions): ResourceMonitor {
  return new ResourceMonitor(resolveMonitorOptions(options));
}

export class ResourceMonitor implements RunMonitor {
  readonly #summary: ResourceSummaryBuilder;
  readonly #notices: string[] = [];
  #runners: SamplerRunner[] = [];
  #loop: TickLoop | undefined;
  #startedAtMs = 0;
  #consumerFailed = false;

  constructor(readonly options: ResolvedMonitorOptions) {
    this.#summary = new ResourceSummaryBuilder(5 * options.intervalMs);
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  async start(context: MonitorContext): Promise<void> {
    if (this.#loop) throw new Error('monitor already started');
    const notice = (line: string) => {
      this.#notices.push(line);
      context.onNotice(line);
    };
    const deliver = (points: readonly Point[]) => this.#deliver(points, context, notice);
    const opened = await Promise.all(this.#openers(notice));
    this.#runners = opened
      .filter((entry): entry is [string, Sampler] => entry !== undefined)
      .map(([label, sampler]) => new SamplerRunner(sampler, label, deliver, notice));

    const { clock, intervalMs } = this.options;
    this.#startedAtMs = clock.nowMs();
    const originMs = this.options.originMs ?? this.#startedAtMs;
    this.#loop = new TickLoop(clock, originMs, intervalMs, (tick, signal) => {
      for (const runner of this.#runners) runner.tick(tick, signal);
    });
    this.#loop.start();
  }

  /** How each sampler is doing so far (for live progress; stop() returns the final ones). */
  samplerReports(): Record<string, SamplerReport> {
    return Object.fromEntries(this.#runners.map((runner) => [runner.label, runner.report()]));
  }

  async stop(): Promise<ResourcesSummary> {
    const loop = this.#loop;
    if (!loop) throw new Error('monitor not started');
    await loop.stop();
    await Promise.all(this.#runners.map((runner) => runner.settle()));
    for (const runner of this.#runners) runner.flush();
    await Promise.all(this.#runners.map((runner) => runner.stop()));
    return {
      interval_ms: this.options.intervalMs,
      origin_ms: loop.originMs,
      started_at_ms: this.#startedAtMs,
      stopped_at_ms: this.options.clock.nowMs(),
      ticks: loop.ticks,
      ticks_missed: loop.missed,
      samplers: this.samplerReports(),
      series: this.#summary.series(),
      gpu_energy: this.#summary.gpuEnergy(),
      notices: [...this.#notices],
    };
  }

  #deliver(points: readonly Point[], context: MonitorContext, notice: (line: string) => void): void {
    if (points.length === 0) return;
    this.#summary.add(points);
    try {
      context.onPoints(points);
    } catch (error) {
      // A consumer bug must not stop sampling or surface as a sampler failure; say it once.
      if (!this.#consumerFailed) notice(`Monitor: a consumer of resource points failed: ${oneLine(error)}`);
      this.#consumerFailed = true;
    }
  }

  /** Each opener resolves to [label, sampler], or undefined after saying why there is none. */
  #openers(notice: (line: string) => void): Array<Promise<[string, Sampler] | undefined>> {
    const o = this.options;
    const tags = { run_id: o.runId, host: o.host };
    const openers: Array<Promise<[string, Sampler] | undefined>> = [];
    const guarded = (label: string, open: () => Promise<Sampler | undefined>, off: string) =>
      open().then(
        (sampler) => (sampler ? ([label, sampler] as [string, Sampler]) : undefined),
        (error: unknown) => {
          notice(`${label}: ${error instanceof SamplerUnavailable ? error.message : oneLine(error)}; ${off}`);
          return undefined;
        },
      );

    openers.push(
      guarded(
        'GPU',
        () =>
          openGpuSampler({
            mode: o.gpu,
            tags,
            intervalMs: o.intervalMs,
            clock: o.clock,
            onNotice: notice,
            scrapeTimeoutMs: o.requestTimeoutMs,
            ...(o.nvmlLibraryPath === undefined ? {} : { nvmlLibraryPath: o.nvmlLibraryPath }),
            ...(o.nvidiaSmiPath === undefined ? {} : { nvidiaSmiPath: o.nvidiaSmiPath }),
            ...(o.nvidiaSmiFallbackDirs === undefined ? {} : { nvidiaSmiFallbackDirs: o.nvidiaSmiFallbackDirs }),
          }),
        'GPU sampling off',
      ),
    );
    if (o.hostMetrics) openers.push(guarded('Host', () => openHostSampler(tags, o.hostSource), 'host sampling off'));
    if (o.clientProcess) {
      openers.push(guarded('Client process', async () => new ClientProcessSampler(tags, o.eventLoopResolutionMs), 'client sampling off'));
    }
    if (o.engineProcess) {
      const target = o.engineProcess;
      openers.push(guarded('Engine process', () => openEngineProcessSampler(target, tags, notice), 'engine process sampling off'));
    }
    if (o.engineContainer) {
      const name = o.engineContainer;
      const endpoint = dockerEndpoint(o.dockerSocketPath, o.requestTimeoutMs);
      openers.push(guarded('Container', () => openContainerSampler(name, endpoint, tags, notice), 'container sampling off'));
    }
    const metrics = serverMetricsUrl(o.serverMetrics, o.engine, o.engineBaseUrl);
    if ('url' in metrics) {
      const url = metrics.url;
      openers.push(
        guarded(
          'Server metrics',
          async () => {
            const sampler = new ServerMetricsSampler(url, o.requestTimeoutMs, o.runId, o.engine);
            await sampler.probe(notice);
            return sampler;
          },
          'server metrics off',
        ),
      );
    } else if (metrics.off) {
      notice(`Server metrics: ${metrics.off}; off`);
    }
    return openers;
  }
}
