/** Checks for numeric flags that are not part of a scenario (scenario flags are checked by the scenario code). */
import { UsageError } from '../pipeline/core/errors.js';

export function positiveInt(text: string | number, flag: string): number {
  const value = typeof text === 'number' ? text : Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a whole number ≥ 1, got ${JSON.stringify(text)}`);
  return value;
}

/** A decimal number (sign and exponent allowed) or "inf"/"Infinity"; NaN for anything else. */
export function numberOrInf(text: string): number {
  const trimmed = text.trim();
  if (/^(inf|infinity)$/i.test(trimmed)) return Number.POSITIVE_INFINITY;
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** A rate per second > 0, or "inf" for none. */
export function positiveRateOrInf(text: string, flag: string): number {
  const value = numberOrInf(text);
  if (!(value > 0)) throw new UsageError(`${flag} must be a number > 0 (per second) or inf, got ${JSON.stringify(text)}`, { hint: `e.g. ${flag} 2000, or ${flag} inf to send every user the moment it falls due` });
  return value;
}

/** Whether the user typed a flag (vs commander's default), e.g. for --no-stream. */
export function flagGiven(command: import('commander').Command, name: string): boolean {
  return command.getOptionValueSource(name) === 'cli';
}
