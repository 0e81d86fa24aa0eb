/**
 * The run's 1 s `llm_window` points (pipeline/run/windows.ts) as one timeline. Windows are per stage, and a
 * second where one stage ends and the next begins has a window from each: counts and rates add up; a
 * percentile cannot be merged, so that second shows the higher of the stages' (said in the chart's note).
 */
import type { Point } from '../../pipeline/core/point.js';
import type { RequestTable } from '../run-data.js';

export const TIMELINE_FIELDS = ['rps', 'output_tps', 'in_flight', 'errors', 'dropped', 'ttft_p95_ms', 'itl_p95_ms', 'ttft_p50_ms', 'itl_p50_ms', 'schedule_lag_p95_ms'] as const;
export type TimelineField = (typeof TIMELINE_FIELDS)[number];

const SUMMED: ReadonlySet<TimelineField> = new Set(['rps', 'output_tps', 'in_flight', 'errors', 'dropped']);

export interface Timeline {
  /** Window end times, epoch ms, ascending. */
  readonly endMs: number[];
  readonly fields: Record<TimelineField, Array<number | null>>;
}

export function mergeWindows(windows: readonly Point[]): Timeline {
  const byEnd = new Map<number, Partial<Record<TimelineField, number>>>();
  for (const window of windows) {
    if (window.measurement !== 'llm_window') continue;
    const merged = byEnd.get(window.time_ms) ?? {};
    for (const field of TIMELINE_FIELDS) {
      const value = window.fields[field];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const before = merged[field];
      merged[field] = before === undefined ? value : SUMMED.has(field) ? before + value : Math.max(before, value);
    }
    byEnd.set(window.time_ms, merged);
  }
  const endMs = [...byEnd.keys()].sort((a, b) => a - b);
  const fields = Object.fromEntries(TIMELINE_FIELDS.map((field) => [field, endMs.map((end) => byEnd.get(end)![field] ?? null)])) as Record<TimelineField, Array<number | null>>;
  return { endMs, fields };
}

export interface StageStart {
  readonly name: string;
  readonly atMs: number;
}

/**
 * When each stage began: its first send among the request rows (exact), or, for a stage with no rows (warmup is
 * not in the table), the start of its first window.
 */
export function stageStarts(table: RequestTable, windows: readonly Point[], windowMs = 1000): StageStart[] {
  const starts = new Map<string, number>();
  const stage = table.stageIndex.view();
  const sent = table.sentMs.view();
  for (let row = 0; row < sent.length; row++) {
    const name = table.stageNames.get(stage[row]!) ?? String(stage[row]);
    const before = starts.get(name);
    if (before === undefined || sent[row]! < before) starts.set(name, sent[row]!);
  }
  const fromWindows = new Map<string, number>();
  for (const window of windows) {
    const name = window.tags.stage;
    if (name === undefined || starts.has(name)) continue;
    const start = window.time_ms - windowMs;
    fromWindows.set(name, Math.min(fromWindows.get(name) ?? start, start));
  }
  return [...starts, ...fromWindows].map(([name, atMs]) => ({ name, atMs })).sort((a, b) => a.atMs - b.atMs);
}
