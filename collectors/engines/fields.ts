/**
 * Reading engine JSON without trusting it: every accessor returns undefined for a missing or mistyped
 * field instead of throwing, because a wrong type in one field must not lose the rest of a record.
 */
import type { ServerReport } from '../../pipeline/core/engine.js';

export type JsonObject = Record<string, unknown>;
export type RawFields = ServerReport['raw'];

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectField(source: unknown, key: string): JsonObject | undefined {
  if (!isObject(source)) return undefined;
  const value = source[key];
  return isObject(value) ? value : undefined;
}

/** A finite number (JSON has no NaN, but engines write `inf` as null or a string). */
export function numberField(source: unknown, key: string): number | undefined {
  if (!isObject(source)) return undefined;
  const value = source[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringField(source: unknown, key: string): string | undefined {
  if (!isObject(source)) return undefined;
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // Malformed JSON is an expected outcome here (callers turn it into a protocol error with the text).
    return { ok: false };
  }
}

/**
 * Copies the primitive fields of `source` into `raw`, unconverted, under `prefix.key` ("timings.prompt_ms")
 * so requests.jsonl says exactly which engine field a number came from.
 */
export function copyRaw(raw: RawFields, source: unknown, prefix?: string, keys?: readonly string[]): RawFields {
  if (!isObject(source)) return raw;
  for (const key of keys ?? Object.keys(source)) {
    const value = source[key];
    if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      raw[prefix ? `${prefix}.${key}` : key] = value;
    }
  }
  return raw;
}

/** Drops undefined members so a report only says what the engine said (`exactOptionalPropertyTypes`-safe). */
export function compactReport(report: ServerReport): ServerReport {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(report)) if (value !== undefined) out[key] = value;
  return out as unknown as ServerReport;
}

/** Later fields override earlier ones; raw fields are merged. The same rule the runner applies. */
export function mergeReports(base: ServerReport, next: ServerReport): ServerReport {
  return { ...base, ...compactReport(next), raw: { ...base.raw, ...next.raw } };
}

/** Shortens engine text for a one-line message. */
export function clip(text: string, maxChars = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars)}…` : flat;
}
