/**
 * The scenario's abort conditions, watched as records arrive: a number or rate of failed requests
 * (`abort.max_errors`, `abort.max_error_rate` once `min_requests` finished), and thresholds with `abort_on_fail`,
 * evaluated every THRESHOLD_CHECK_MS on the summary so far.
 */
import type { AbortConditions } from '../core/plan.js';
import type { RunSummary, ThresholdResult } from '../core/run-result.js';
import type { RunSummarizer } from './run-summarizer.js';

/** How often abort_on_fail thresholds are evaluated on the summary so far. */
const THRESHOLD_CHECK_MS = 2000;

export interface AbortWatch {
  /** After each batch of records. */
  check(): void;
  dispose(): void;
}

export function watchAbortConditions(
  abort: AbortConditions,
  summarizer: RunSummarizer,
  stop: (reason: string) => void,
  failingThresholds?: (summary: RunSummary) => ThresholdResult[],
): AbortWatch {
  const timer = failingThresholds
    ? setInterval(() => {
        if (summarizer.total < Math.max(abort.minRequestsForRate, 1)) return;
        const failed = failingThresholds(summarizer.summary()).filter((threshold) => !threshold.ok);
        if (failed.length > 0) stop(`threshold failed (abort_on_fail): ${failed.map((t) => `${t.metric}: ${t.expression}`).join('; ')}`);
      }, THRESHOLD_CHECK_MS)
    : undefined;
  return {
    check() {
      const { maxErrors, maxErrorRate, minRequestsForRate } = abort;
      const counts = summarizer.counts();
      if (maxErrors !== null && counts.errors >= maxErrors) stop(`${counts.errors} requests failed (abort.max_errors = ${maxErrors})`);
      const finished = counts.ok + counts.errors;
      if (maxErrorRate !== null && finished >= minRequestsForRate && counts.errors / finished > maxErrorRate) {
        stop(`error rate ${(counts.errors / finished).toFixed(3)} over ${finished} requests (abort.max_error_rate = ${maxErrorRate})`);
      }
    },
    dispose() {
      if (timer) clearInterval(timer);
    },
  };
}
