/**
 * The InfluxDB sink (DESIGN §6). Off the request path by construction:
 * - write() only appends records, windows and samples to an input queue;
 * - mapping to line protocol runs in slices of at most ~2 ms on the event loop (setImmediate), so a burst of
 *   records never stalls the coordinator for long;
 * - BatchWriter sends one batch at a time with our own retry, spill and accounting.
 * Every point is written once: records and samples get their unique per-series timestamps (unique-timestamps.ts),
 * and the 1 s windows arrive final from the coordinator, so no series is ever written twice with different
 * fields. close() maps what is left, writes the `llm_run` point, drains, sends back what was spilled if InfluxDB
 * is answering again, and reports {written, retried, spilled, lost, …} for run.json `sinks.influxdb`
 * (`spilled` = points left on disk for `llmbench push`).
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunResult } from '../core/run-result.js';
import type { RunEvent, RunIdentity, RunSection, RunSink, RunStart, SinkReport } from '../core/sink.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { BatchWriter, DEFAULT_WRITER_OPTIONS } from './batch-writer.js';
import { redactUrl, type InfluxConfig } from './influx-config.js';
import { createInfluxHttp, type InfluxHttp } from './influx-http.js';
import { preflightInflux } from './influx-preflight.js';
import { LineEncoder } from './line-protocol.js';
import { recordToPoints, resourcePoints, runPoint } from './points.js';
import { readSpillFile, SPILL_DIR_NAME, SpillWriter } from './spill.js';
import { SeriesTimestamps, toNanos } from './unique-timestamps.js';

export interface InfluxSinkOptions {
  /** Where batches go when InfluxDB stays down (the run directory's influx-spill/; `llmbench push` replays it). */
  readonly spillDir: string;
  /** How often a partial batch is sent. */
  readonly flushIntervalMs?: number;
  readonly batchSize?: number;
  /** Points held in memory while InfluxDB is slow or down before the oldest are spilled to the run directory. */
  readonly maxBufferedPoints?: number;
  /** After the run: how long to keep retrying without a successful write before spilling the rest. */
  readonly finalRetryMs?: number;
  readonly requestTimeoutMs?: number;
  readonly gzipThresholdBytes?: number;
  readonly backoff?: Partial<BackoffOptions>;
  readonly clock?: Clock;
  /** Replaces the HTTP layer (tests). */
  readonly http?: InfluxHttp;
  /** One-line notices (outage, recovery, spill). Default: stderr, prefixed "influxdb: ". */
  readonly onNotice?: (line: string) => void;
}

/** CPU slice for mapping before yielding the event loop. */
const MAP_SLICE_MS = 2;

export class InfluxDbSink implements RunSink {
  readonly name = 'influxdb';
  #run: RunIdentity | undefined;
  #http: InfluxHttp | undefined;
  #writer: BatchWriter | undefined;
  readonly #timestamps = new SeriesTimestamps();
  readonly #encoder = new LineEncoder();
  #timer: NodeJS.Timeout | undefined;
  /** Input queue; `#recordsHead` is the next to map (no O(n) shift or slice per mapping slice). */
  #records: RequestRecord[] = [];
  #recordsHead = 0;
  #resources: Point[] = [];
  /** Final windows: one point per series and time, so they keep their own timestamps. */
  #windows: Point[] = [];
  #mapScheduled = false;
  #stopped = false;
  #spill: SpillWriter | undefined;
  #points = 0;
  #emptyPoints = 0;
  /** Spilled points taken back from disk at the end (delivered, or spilled again into a newer file). */
  #unspilled = 0;
  #replayed = 0;
  readonly #notice: (line: string) => void;

  constructor(
    private readonly config: InfluxConfig,
    private readonly options: InfluxSinkOptions,
  ) {
    const sink = options.onNotice ?? ((line: string) => process.stderr.write(`influxdb: ${line}\n`));
    this.#notice = (line) => sink(this.#redact(line));
  }

  async open(run: RunStart): Promise<void> {
    const http = this.options.http ?? createInfluxHttp(this.config, {
      ...(this.options.requestTimeoutMs !== undefined ? { timeoutMs: this.options.requestTimeoutMs } : {}),
      ...(this.options.gzipThresholdBytes !== undefined ? { gzipThresholdBytes: this.options.gzipThresholdBytes } : {}),
    });
    try {
      await preflightInflux(http, this.config);
    } catch (error) {
      http.close();
      throw error;
    }
    this.#run = run;
    this.#http = http;
    this.#spill = new SpillWriter(join(this.options.spillDir, SPILL_DIR_NAME));
    this.#writer = new BatchWriter(http, {
      batchSize: this.options.batchSize ?? DEFAULT_WRITER_OPTIONS.batchSize,
      maxBufferedLines: this.options.maxBufferedPoints ?? DEFAULT_WRITER_OPTIONS.maxBufferedLines,
      finalRetryMs: this.options.finalRetryMs ?? DEFAULT_WRITER_OPTIONS.finalRetryMs,
      backoff: { ...DEFAULT_BACKOFF, ...this.options.backoff },
      clock: this.options.clock ?? systemClock,
      spill: this.#spill,
      onNotice: this.#notice,
    });
    this.#timer = setInterval(() => this.#writer!.flush(), this.options.flushIntervalMs ?? 1000);
    this.#timer.unref();
  }

  write(event: RunEvent): void {
    if (this.#stopped) return;
    if (event.kind === 'records') for (const record of event.records) this.#records.push(record);
    else if (event.kind === 'resources') for (const point of event.points) this.#resources.push(point);
    else if (event.kind === 'windows') for (const point of event.windows) this.#windows.push(point);
    else return;
    this.#scheduleMapping();
  }

  async close(result: RunResult): Promise<RunSection> {
    if (this.#stopped || !this.#writer || !this.#run) return { sinkReport: this.#report() };
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#mapSome(Infinity);
    const final: string[] = [];
    const run = runPoint(result);
    this.#line(run, toNanos(run.time_ms), final);
    this.#writer.enqueue(final);
    await this.#writer.drain();
    await this.#replaySpill();
    this.#http!.close();
    return { sinkReport: this.#report() };
  }

  /**
   * Batches spilled during the run (buffer bound reached, or an outage that ended before the run did) are sent
   * now if InfluxDB is answering, and their files deleted: `spilled` then only counts what stays on disk for
   * `llmbench push`. A file whose lines fail again was spilled anew by the writer, so it is deleted all the same.
   */
  async #replaySpill(): Promise<void> {
    const writer = this.#writer!;
    const spill = this.#spill!;
    for (const file of spill.files()) {
      if (!writer.healthy()) return;
      const spilledBefore = writer.counts().spilled;
      writer.enqueue(await readSpillFile(file.path));
      await writer.drain();
      const spilledAgain = writer.counts().spilled - spilledBefore;
      await spill.remove(file);
      this.#unspilled += file.lines;
      this.#replayed += file.lines - spilledAgain;
    }
  }

  /** Points not yet in InfluxDB: still to be mapped, or queued for sending (spilled ones are on disk already). */
  unsentPoints(): number {
    return this.#records.length - this.#recordsHead + this.#resources.length + this.#windows.length + (this.#writer?.counts().pending ?? 0);
  }

  #scheduleMapping(): void {
    if (this.#mapScheduled || !this.#writer) return;
    this.#mapScheduled = true;
    setImmediate(() => {
      this.#mapScheduled = false;
      if (this.#stopped) return;
      if (!this.#mapSome(MAP_SLICE_MS)) this.#scheduleMapping();
    });
  }

  /** Maps queued input for up to `budgetMs` of CPU; true when the input queue is empty. */
  #mapSome(budgetMs: number): boolean {
    const run = this.#run!;
    const deadline = performance.now() + budgetMs;
    const lines: string[] = [];
    const records = this.#records;
    let head = this.#recordsHead;
    // Check the clock every 16 records: performance.now() is cheap, not free.
    while (head < records.length && ((head - this.#recordsHead) % 16 !== 0 || performance.now() < deadline)) {
      const record = records[head++]!;
      for (const point of recordToPoints(record, run)) this.#line(point, this.#timestamps.assign(point), lines);
    }
    if (head === records.length) {
      this.#records = [];
      this.#recordsHead = 0;
      if (this.#resources.length > 0) {
        for (const point of resourcePoints(this.#resources, run.runId, run.agent)) this.#line(point, this.#timestamps.assign(point), lines);
        this.#resources = [];
      }
      for (const point of this.#windows) this.#line(point, toNanos(point.time_ms), lines);
      this.#windows = [];
    } else if (head > 10_000 && head * 2 > records.length) {
      // Mapping lags behind a long burst: drop the mapped prefix so it can be collected (amortised O(1)).
      this.#records = records.slice(head);
      this.#recordsHead = 0;
    } else {
      this.#recordsHead = head;
    }
    this.#writer!.enqueue(lines);
    return this.#records.length === 0 && this.#resources.length === 0 && this.#windows.length === 0;
  }

  #line(point: Point, timeNs: string, into: string[]): void {
    const line = this.#encoder.encode(point, timeNs);
    if (line === undefined) {
      this.#emptyPoints++; // no finite field: nothing to store, so nothing lost
      return;
    }
    this.#points++;
    into.push(line);
  }

  #report(): SinkReport {
    const counts = this.#writer?.counts();
    const spilled = (counts?.spilled ?? 0) - this.#unspilled;
    return {
      url: redactUrl(this.config.url),
      org: this.config.org,
      bucket: this.config.bucket,
      points: this.#points,
      written: counts?.written ?? 0,
      retried: counts?.retried ?? 0,
      spilled,
      replayed_from_spill: this.#replayed,
      lost: (counts?.lost ?? 0) + (counts?.unsent ?? 0) + (counts?.pending ?? 0),
      empty_points: this.#emptyPoints,
      requests: counts?.requests ?? 0,
      failed_requests: counts?.failedRequests ?? 0,
      spill_dir: spilled > 0 ? join(this.options.spillDir, SPILL_DIR_NAME) : null,
      last_error: counts?.lastError ? this.#redact(counts.lastError) : null,
    };
  }

  /** Belt and braces: a server (or proxy) could echo the Authorization header back in an error body. */
  #redact(text: string): string {
    const token = this.config.token?.reveal();
    return token ? text.split(token).join('[redacted]') : text;
  }
}

export function createInfluxSink(config: InfluxConfig, options: InfluxSinkOptions): InfluxDbSink {
  return new InfluxDbSink(config, options);
}
