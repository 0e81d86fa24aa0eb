/**
 * `llmbench push RUN_DIR`: replays a run directory into InfluxDB with the same points and timestamps the
 * live sink writes (same mapping, same per-series timestamp rule, same windows), so pushing twice, or pushing
 * a run that was also written live, overwrites instead of duplicating.
 *
 * Order matters once: spill files (line protocol written live) go first, and only then the points recomputed
 * from the run directory. Where live and replay placed colliding points in swapped slots, the recomputed
 * points land last, so the series ends up exactly as a fresh push would leave it.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { SinkError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunInfo } from '../core/sink.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { BatchWriter, DEFAULT_WRITER_OPTIONS } from './batch-writer.js';
import { redactUrl, type InfluxConfig } from './influx-config.js';
import { createInfluxHttp, type InfluxHttp } from './influx-http.js';
import { preflightInflux } from './influx-preflight.js';
import { LineEncoder } from './line-protocol.js';
import { recordToPoints, resourcePoints, runPoint, WindowAccumulator } from './points.js';
import { readJsonl, readRunResult, type JsonlStats } from './run-dir-reader.js';
import { listSpillFiles, readSpillFile } from './spill.js';
import { SeriesTimestamps, toNanos } from './unique-timestamps.js';

export interface PushOptions {
  readonly batchSize?: number;
  /** Give up after this long without a successful write. */
  readonly finalRetryMs?: number;
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
  readonly http?: InfluxHttp;
  readonly onNotice?: (line: string) => void;
}

export interface PushReport {
  readonly runId: string;
  readonly url: string;
  readonly bucket: string;
  /** Points sent, by measurement (spilled lines not included: they repeat points counted here). */
  readonly points: Readonly<Record<string, number>>;
  readonly spillFiles: number;
  readonly spillLines: number;
  readonly written: number;
  readonly retried: number;
  readonly failedRequests: number;
  /** requests.jsonl / resources.jsonl lines that were not JSON (e.g. cut short by a kill). */
  readonly skippedLines: number;
}

/** Lines held in memory before reading more of the run directory. */
const READ_AHEAD_LINES = 50_000;

export async function pushRun(runDir: string, config: InfluxConfig, options: PushOptions = {}): Promise<PushReport> {
  const result = await readRunResult(runDir);
  const run: RunInfo = {
    runId: result.run_id,
    scenario: result.scenario.name,
    engine: result.target.engine,
    model: result.target.model,
    runDir,
  };
  const notice = options.onNotice ?? (() => {});
  const http = options.http ?? createInfluxHttp(config, options.requestTimeoutMs !== undefined ? { timeoutMs: options.requestTimeoutMs } : {});
  try {
    await preflightInflux(http, config);
    const writer = new BatchWriter(http, {
      batchSize: options.batchSize ?? DEFAULT_WRITER_OPTIONS.batchSize,
      maxBufferedLines: Number.POSITIVE_INFINITY, // bounded by waitForRoom below instead
      finalRetryMs: options.finalRetryMs ?? 30_000,
      giveUpOutsideDrain: true,
      backoff: DEFAULT_BACKOFF,
      clock: options.clock ?? systemClock,
      onNotice: notice,
    });

    let spillLines = 0;
    const spillFiles = await listSpillFiles(runDir);
    for (const file of spillFiles) {
      const lines = await readSpillFile(file);
      spillLines += lines.length;
      writer.enqueue(lines);
      await writer.waitForRoom(READ_AHEAD_LINES);
      failIfUnsent(writer, run.runId, config);
    }
    await writer.drain(); // spilled lines land before the recomputed ones (see the header)
    failIfUnsent(writer, run.runId, config);

    const counts: Record<string, number> = {};
    const timestamps = new SeriesTimestamps();
    const encoder = new LineEncoder();
    const windows = new WindowAccumulator(run);
    const send = async (points: readonly Point[], unique: boolean) => {
      const lines: string[] = [];
      for (const point of points) {
        const line = encoder.encode(point, unique ? timestamps.assign(point) : toNanos(point.time_ms));
        if (line === undefined) continue;
        lines.push(line);
        counts[point.measurement] = (counts[point.measurement] ?? 0) + 1;
      }
      writer.enqueue(lines);
      await writer.waitForRoom(READ_AHEAD_LINES);
      failIfUnsent(writer, run.runId, config);
    };

    const requestStats: JsonlStats = { lines: 0, skipped: 0 };
    for await (const record of readJsonl<RequestRecord>(join(runDir, 'requests.jsonl'), requestStats)) {
      windows.add(record);
      await send(recordToPoints(record, run), true);
    }
    const resourceStats: JsonlStats = { lines: 0, skipped: 0 };
    for await (const point of readJsonl<Point>(join(runDir, 'resources.jsonl'), resourceStats)) {
      await send(resourcePoints([point], run.runId), true);
    }
    await send([...windows.all(), runPoint(result)], false);
    await writer.drain();
    failIfUnsent(writer, run.runId, config);

    const skippedLines = requestStats.skipped + resourceStats.skipped;
    if (skippedLines > 0) notice(`skipped ${skippedLines} lines of ${runDir} that were not JSON`);
    const final = writer.counts();
    return {
      runId: run.runId,
      url: redactUrl(config.url),
      bucket: config.bucket,
      points: counts,
      spillFiles: spillFiles.length,
      spillLines,
      written: final.written,
      retried: final.retried,
      failedRequests: final.failedRequests,
      skippedLines,
    };
  } finally {
    http.close();
  }
}

function failIfUnsent(writer: BatchWriter, runId: string, config: InfluxConfig): void {
  const counts = writer.counts();
  if (counts.unsent === 0) return;
  throw new SinkError(
    'SINK_UNAVAILABLE',
    `push of run ${runId} to ${redactUrl(config.url)} is incomplete: ${counts.unsent} points not written (${counts.lastError ?? 'unknown error'})`,
    { hint: 'fix the cause and push again: points carry their own timestamps, so a repeated push overwrites instead of duplicating' },
  );
}
