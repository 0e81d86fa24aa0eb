/**
 * Where the run's 1 s windows are made, once, and handed to every sink. Records come in with the workers'
 * watermark (pool/record-batcher.ts): no record still to come has a stamp before it, so every window that ends
 * before it is final and goes out now, each exactly once (windows.ts). At the end of the run the rest go out.
 * A live dashboard therefore trails the run by about the longest request in flight: a window waits for every
 * request that was in flight during it.
 */
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunIdentity } from '../core/sink.js';
import { WindowAccumulator } from './windows.js';

/** Worker threads stamp on their own clocks (each its own timeOrigin); this covers their disagreement. */
const CLOCK_SLACK_MS = 5;

export class WindowStage {
  readonly #windows: WindowAccumulator;

  constructor(
    run: Pick<RunIdentity, 'runId' | 'engine' | 'model' | 'agent'>,
    private readonly emit: (windows: readonly Point[]) => void,
  ) {
    this.#windows = new WindowAccumulator(run);
  }

  add(records: readonly RequestRecord[], watermarkMs: number): void {
    for (const record of records) this.#windows.add(record);
    this.#flush(this.#windows.takeFinal(watermarkMs - CLOCK_SLACK_MS));
  }

  /** Nothing more can arrive. */
  finish(): void {
    this.#flush(this.#windows.takeAll());
  }

  stats(): { emitted: number; late_records: number } {
    return { emitted: this.#windows.emitted, late_records: this.#windows.lateRecords };
  }

  #flush(windows: readonly Point[]): void {
    if (windows.length > 0) this.emit(windows);
  }
}
