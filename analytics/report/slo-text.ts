/** An SLO as given to --slo ("ttft_ms:p95<1000"), read back for drawing its line. */

export interface SloBound {
  readonly metric: string;
  readonly stat: string;
  readonly op: '<' | '<=' | '>' | '>=';
  readonly value: number;
}

export function parseSlo(text: string): SloBound | undefined {
  const match = /^\s*([A-Za-z0-9_]+)\s*:\s*([A-Za-z0-9_.]+)\s*(<=|>=|<|>)\s*(-?[0-9.]+(?:e[+-]?\d+)?)\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[4]);
  if (!Number.isFinite(value)) return undefined;
  return { metric: match[1]!, stat: match[2]!, op: match[3] as SloBound['op'], value };
}
