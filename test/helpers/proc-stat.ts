/**
 * Fields of a /proc/…/stat line after "pid (comm) ", so index 0 is field 3 of proc(5): state. The comm may
 * hold spaces and parentheses, hence the split on the last ") ".
 */
import { readFileSync } from 'node:fs';

export function statFields(path: string): string[] {
  const line = readFileSync(path, 'utf8');
  return line.slice(line.lastIndexOf(') ') + 2).split(' ');
}

/** proc(5) field 19: nice. */
export const NICE_FIELD = 16;
/** proc(5) field 41: scheduling policy (3 = SCHED_BATCH). */
export const POLICY_FIELD = 38;
