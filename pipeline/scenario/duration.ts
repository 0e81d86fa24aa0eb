/**
 * Human durations in scenario files and flags: a number and a unit, `500ms`, `30s`, `5m`, `1h`. A unit is
 * required (a bare `30` could be seconds or milliseconds, and guessing wrong is a 1000× error).
 */
import { parseDurationMs } from '../core/clock.js';

export const DURATION_PATTERN = /^\d+(?:\.\d+)?(?:ms|s|m|h)$/;
export const DURATION_EXAMPLES = '500ms, 30s, 5m or 1h';

export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text);
}

/** Milliseconds of a string that passed isDuration (the schema guarantees it). */
export function durationMs(text: string): number {
  return parseDurationMs(text);
}

/** Problem text for a value that is not a duration, or undefined when it is one. */
export function durationProblem(text: string): string | undefined {
  if (isDuration(text)) return undefined;
  return `${JSON.stringify(text)} is not a duration: write a number and a unit, e.g. ${DURATION_EXAMPLES}`;
}

/** Shortest exact string for a number of milliseconds ("90s", "1500ms"), for derived values. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
