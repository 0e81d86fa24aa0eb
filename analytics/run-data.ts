/**
 * What analysis and reports read of a run, in compact columns: one row per non-warmup request (its stage,
 * status, stamps and the per-request metrics; no chunk logs), the 1 s windows the run handed out, and the
 * resource samples as numeric series. Built the same way when a run closes (the analytics sink: its windows and
 * samples as they came, its requests read back from requests.jsonl), from a run directory, or from InfluxDB (Flux),
 * so every analysis runs on all three with the same code. Memory grows with requests × metrics (8 bytes each),
 * never with token events.
 */
import type { Point } from '../pipeline/core/point.js';
import type { RequestRecord } from '../pipeline/core/record.js';
import { Float64Column as GrowingColumn } from '../pipeline/core/float64-column.js';

/** The per-request metrics kept per row (NaN where a request has none). */
export const TABLE_METRICS = [
  'ttft_ms',
  'itl_ms',
  'tpot_ms',
  'total_duration_ms',
  'e2e_from_schedule_ms',
  'schedule_lag_ms',
  'prompt_eval_duration_ms',
  'eval_duration_ms',
  'prompt_token_rate',
  'eval_token_rate',
  'output_tokens',
  'prompt_tokens',
] as const;
export type TableMetric = (typeof TABLE_METRICS)[number];

export const STATUS_CODES = { ok: 0, error: 1, dropped: 2 } as const;

/** The columns of the tables: pipeline/core/float64-column.ts (off the JS heap, growing by half). */
export { GrowingColumn };

/** Non-warmup requests, one row each, in the order they were added. */
export class RequestTable {
  readonly status = new GrowingColumn();
  readonly stageIndex = new GrowingColumn();
  /** t_send, or t_intended for a request never sent. */
  readonly sentMs = new GrowingColumn();
  /** t_done (or the last stamp the request got). */
  readonly doneMs = new GrowingColumn();
  readonly metrics: Record<TableMetric, GrowingColumn> = Object.fromEntries(TABLE_METRICS.map((name) => [name, new GrowingColumn()])) as Record<TableMetric, GrowingColumn>;
  /** Stage index → name, as the records carry them. */
  readonly stageNames = new Map<number, string>();
  /** Counts of error kinds per stage index. */
  readonly errorKinds = new Map<number, Map<string, number>>();

  get length(): number {
    return this.status.length;
  }

  add(record: RequestRecord): void {
    if (record.warmup) return;
    this.status.push(STATUS_CODES[record.status]);
    this.stageIndex.push(record.stage_index);
    this.stageNames.set(record.stage_index, record.stage);
    const sent = record.t_send ?? record.t_intended;
    this.sentMs.push(sent);
    this.doneMs.push(record.t_done ?? record.t_last_token ?? sent);
    for (const name of TABLE_METRICS) this.metrics[name].push(record.metrics[name] ?? Number.NaN);
    if (record.status !== 'ok') {
      const kinds = this.errorKinds.get(record.stage_index) ?? new Map<string, number>();
      const kind = record.error_kind ?? 'protocol';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      this.errorKinds.set(record.stage_index, kinds);
    }
  }

  /**
   * The same rows in one canonical order (by send time, then completion, stage, status and metrics) with the maps
   * sorted by key, so a run's tables do not depend on the order its records arrived in: requests.jsonl holds them
   * in completion order, InfluxDB gives them by send time, and sums over rows must come out to the same last bit.
   */
  canonical(): RequestTable {
    const columns = [this.sentMs, this.doneMs, this.stageIndex, this.status, ...TABLE_METRICS.map((name) => this.metrics[name])].map((column) => column.view());
    const order = Array.from({ length: this.length }, (_, i) => i);
    order.sort((a, b) => {
      for (const column of columns) {
        const x = column[a]!;
        const y = column[b]!;
        if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
        if (Number.isNaN(x)) return 1;
        if (Number.isNaN(y)) return -1;
        return x - y;
      }
      return 0;
    });
    const copy = new RequestTable();
    const from = (source: GrowingColumn, target: GrowingColumn) => {
      const view = source.view();
      for (const row of order) target.push(view[row]!);
    };
    from(this.status, copy.status);
    from(this.stageIndex, copy.stageIndex);
    from(this.sentMs, copy.sentMs);
    from(this.doneMs, copy.doneMs);
    for (const name of TABLE_METRICS) from(this.metrics[name], copy.metrics[name]);
    for (const [index, name] of [...this.stageNames].sort((a, b) => a[0] - b[0])) copy.stageNames.set(index, name);
    for (const [index, kinds] of [...this.errorKinds].sort((a, b) => a[0] - b[0])) {
      copy.errorKinds.set(index, new Map([...kinds].sort((a, b) => a[0].localeCompare(b[0]))));
    }
    return copy;
  }
}

/** One numeric series of resource samples: a measurement, its tags and one field. */
export interface ResourceSeries {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly field: string;
  readonly timesMs: GrowingColumn;
  readonly values: GrowingColumn;
}

export class ResourceTable {
  readonly #series = new Map<string, ResourceSeries>();

  add(point: Point): void {
    for (const [field, value] of Object.entries(point.fields)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const tags = Object.fromEntries(Object.entries(point.tags).filter(([key]) => key !== 'run_id'));
      const key = `${point.measurement}\u0000${JSON.stringify(Object.entries(tags).sort())}\u0000${field}`;
      let series = this.#series.get(key);
      if (!series) {
        series = { measurement: point.measurement, tags, field, timesMs: new GrowingColumn(64), values: new GrowingColumn(64) };
        this.#series.set(key, series);
      }
      series.timesMs.push(point.time_ms);
      series.values.push(value);
    }
  }

  /** Every series, ordered by measurement, tags and field (not by when each was first seen). */
  all(): ResourceSeries[] {
    return [...this.#series].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, series]) => series);
  }

  /** Series of one measurement and field, optionally narrowed by tags. */
  find(measurement: string, field: string, tags: Readonly<Record<string, string>> = {}): ResourceSeries[] {
    return this.all().filter(
      (series) => series.measurement === measurement && series.field === field && Object.entries(tags).every(([key, value]) => series.tags[key] === value),
    );
  }
}

export interface RunData {
  readonly requests: RequestTable;
  /** `llm_window` points, oldest first. */
  readonly windows: readonly Point[];
  readonly resources: ResourceTable;
}

/** Builds a RunData from what a run produces, in any order. */
export class RunDataBuilder {
  readonly #requests = new RequestTable();
  readonly #windows: Point[] = [];
  readonly #resources = new ResourceTable();

  addRecord(record: RequestRecord): void {
    this.#requests.add(record);
  }

  addWindows(windows: Iterable<Point>): void {
    for (const window of windows) this.#windows.push(window);
  }

  addResources(points: Iterable<Point>): void {
    for (const point of points) this.#resources.add(point);
  }

  /** The tables in canonical order (RequestTable.canonical; windows by time, then stage), whatever the order of arrival. */
  build(): RunData {
    const windows = [...this.#windows].sort((a, b) => a.time_ms - b.time_ms || (a.tags.stage ?? '').localeCompare(b.tags.stage ?? ''));
    return { requests: this.#requests.canonical(), windows, resources: this.#resources };
  }
}
