/**
 * A segment of a run spread over several machines (DESIGN §16): agent I of N runs segment I of the one
 * schedule. `index` is 1-based, as `--segment I/N` and a Kubernetes Indexed Job's JOB_COMPLETION_INDEX + 1 count.
 */
export interface Segment {
  /** 1..count. */
  readonly index: number;
  readonly count: number;
}

/** "2of4": the `agent` tag of a segment's points and the agent named in a merged run (one value per agent). */
export function agentLabel(segment: Segment): string {
  return `${segment.index}of${segment.count}`;
}

/** The segment of "I/N", or a message saying what is wrong with the text (for the scenario schema and flags). */
export function parseSegment(text: string): Segment | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return `must be I/N (segment I of N, 1-based), e.g. "2/4", got ${JSON.stringify(text)}`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) return `the segment count N must be ≥ 1, got ${count}`;
  if (index < 1 || index > count) return `the segment index I must be from 1 to ${count} (1-based), got ${index}`;
  return { index, count };
}
