/**
 * `llmbench push RUN_DIR`: replays a run directory into InfluxDB with the same points and timestamps the
 * live sink writes (same mapping, same per-series timestamp rule, the same windows: those the run handed out,
 * read from windows.jsonl), so pushing twice, or pushing a run that was also written live, overwrites instead
 * of duplicating. A run that never ended (killed) has windows only up to where it stopped; the rest are
 * computed from its records by the same code (pipeline/run/windows.ts) and pushed as what the directory holds.
 *
 * Order matters once: spill files (line protocol written live) go first, and only then the points recomputed
 * from the run directory. Where live and replay placed colliding points in swapped slots, the recomputed
 * points land last, so the series ends up exactly as a fresh push would leave it.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { SinkError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { RunIdentity } from '../core/sink.js';
import { WindowAccumulator } from '../run/windows.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { BatchWriter, DEFAULT_WRITER_OPTIONS } from './batch-writer.js';
import { redactUrl, type InfluxConfig } from './influx-config.js';
import { createInfluxHttp, type InfluxHttp } from './influx-http.js';
import { preflightInflux } from './influx-preflight.js';
import { LineEncoder } from './line-protocol.js';
import { recordToPoints, resourcePoints, runPoint } from './points.js';
import { readRunDirectory } from './run-directory-reader.js';
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
  /** Torn last lines skipped (a run killed mid-write). */
  readonly skippedLines: number;
  /** False for a run that never ended: its points are what its directory holds. */
  readonly complete: boolean;
}

/** Lines held in memory before reading more of the run directory. */
const READ_AHEAD_LINES = 50_000;

export async function pushRun(runDir: string, config: InfluxConfig, options: PushOptions = {}): Promise<PushReport> {
  const notice = options.onNotice ?? (() => {});
  const dir = await readRunDirectory(runDir, { onWarning: notice });
  const result = dir.result;
  const run: RunIdentity = {
    runId: result.run_id,
    scenario: result.scenario.name,
    engine: result.target.engine,
    model: result.target.model,
    ...(result.segment ? { agent: result.segment.agent } : {}),
  };
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

    // The windows the run handed out, as it handed them out; windows it never got to, from its records.
    const handedOut = new Set<string>();
    for await (const window of dir.windows()) {
      handedOut.add(windowKey(window));
      await send([window], false);
    }
    const rest = new WindowAccumulator(run);
    for await (const record of dir.records()) {
      rest.add(record);
      await send(recordToPoints(record, run), true);
    }
    for await (const point of dir.resources()) await send(resourcePoints([point], run.runId, run.agent), true);
    await send([...rest.takeAll().filter((window) => !handedOut.has(windowKey(window))), runPoint(result)], false);
    await writer.drain();
    failIfUnsent(writer, run.runId, config);

    const skippedLines = dir.damage.tornLines;
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
      complete: dir.complete,
    };
  } finally {
    http.close();
  }
}

/** A window's series and time: one point each. */
function windowKey(window: Point): string {
  return `${window.tags.stage}\u0000${window.tags.engine}\u0000${window.tags.model}\u0000${window.time_ms}`;
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
