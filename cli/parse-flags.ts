/** Checks for numeric flags that are not part of a scenario (scenario flags are checked by the scenario code). */
import { UsageError } from '../pipeline/core/errors.js';

export function positiveInt(text: string | number, flag: string): number {
  const value = typeof text === 'number' ? text : Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a whole number ≥ 1, got ${JSON.stringify(text)}`);
  return value;
}
