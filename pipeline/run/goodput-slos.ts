/** The per-request SLOs goodput counts, from a scenario's thresholds (used by a run and by a merge of its segments). */
import type { RequestMetric } from '../core/record.js';
import { REQUEST_METRICS } from '../core/record.js';
import type { Threshold } from '../scenario/thresholds.js';
import type { RequestSlo } from './summary-collector.js';

/** Goodput counts requests that meet, one by one, every upper bound the thresholds put on a per-request metric. */
export function slosOf(thresholds: readonly Threshold[]): RequestSlo[] {
  const slos: RequestSlo[] = [];
  for (const threshold of thresholds) {
    if (!(REQUEST_METRICS as readonly string[]).includes(threshold.metric)) continue;
    if (threshold.operator !== '<' && threshold.operator !== '<=') continue;
    slos.push({ metric: threshold.metric as RequestMetric, op: threshold.operator, value: threshold.value });
  }
  return slos;
}
