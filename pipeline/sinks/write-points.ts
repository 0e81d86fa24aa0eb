/**
 * A few points written to InfluxDB outside a run (`llmbench schedule`'s llm_regression points), through the
 * sinks' own path: the one line encoder, unique timestamps per series, the batch writer's retries with backoff,
 * over the client's transport. Nothing is spilled: the caller records the points in the run directory too, so
 * what did not reach InfluxDB is reported, never lost.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Point } from '../core/point.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { BatchWriter, DEFAULT_WRITER_OPTIONS } from './batch-writer.js';
import type { InfluxConfig } from './influx-config.js';
import { createInfluxHttp, type InfluxHttp } from './influx-http.js';
import { LineEncoder } from './line-protocol.js';
import { SeriesTimestamps } from './unique-timestamps.js';

export interface WritePointsOptions {
  /** Give up this long after the last successful write. */
  readonly finalRetryMs?: number;
  readonly clock?: Clock;
  readonly http?: InfluxHttp;
  readonly onNotice?: (line: string) => void;
}

export interface WritePointsReport {
  readonly written: number;
  /** Not written (refused, or still failing when the writer gave up). */
  readonly unsent: number;
  readonly lastError?: string;
}

export async function writePoints(config: InfluxConfig, points: readonly Point[], options: WritePointsOptions = {}): Promise<WritePointsReport> {
  const http = options.http ?? createInfluxHttp(config);
  try {
    const writer = new BatchWriter(http, {
      batchSize: DEFAULT_WRITER_OPTIONS.batchSize,
      maxBufferedLines: Number.POSITIVE_INFINITY,
      finalRetryMs: options.finalRetryMs ?? 10_000,
      giveUpOutsideDrain: true,
      backoff: DEFAULT_BACKOFF,
      clock: options.clock ?? systemClock,
      onNotice: options.onNotice ?? (() => {}),
    });
    const encoder = new LineEncoder();
    const timestamps = new SeriesTimestamps();
    const lines = points.map((point) => encoder.encode(point, timestamps.assign(point))).filter((line): line is string => line !== undefined);
    writer.enqueue(lines);
    await writer.drain();
    const counts = writer.counts();
    return { written: counts.written, unsent: counts.unsent, ...(counts.lastError ? { lastError: counts.lastError } : {}) };
  } finally {
    http.close();
  }
}
