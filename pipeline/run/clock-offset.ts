/**
 * Is this agent's clock close enough to the others' for them to share one schedule (DESIGN §16)? Agents meet at
 * `--start-at EPOCH_MS` on their own clocks, so a clock that is off shifts that agent's whole share of the
 * schedule. The offset (reference − local, as NTP tools state it) is judged against the schedule-lag budget,
 * from one of two sources:
 * - `--clock-offset-ms`, an offset measured by NTP/chrony (e.g. `chronyc tracking`): taken as exact;
 * - the engine's HTTP `Date` header, which every agent sees from the same clock. It has 1 s resolution: one
 *   answer bounds the offset only to about a second (the server's second could be anywhere in the round trip),
 *   so alone it catches clocks off by seconds (no NTP at all), never the tens of ms the schedule cares about.
 *   Probing until the header ticks over pins the engine's second boundary between two probes, which narrows
 *   the bounds to the probe spacing plus a round trip; but servers may serve a cached Date (uvicorn refreshes
 *   it every 0.1 s), so the upper bound keeps DATE_STALENESS_MS of slack, and an offset within a ±25 ms budget
 *   is never confirmed by it: it reports `undetermined` there, and `beyond` only when the whole interval lies
 *   outside the budget.
 * Pure except `probeEngineDate`, which takes its HTTP and clock as arguments.
 */
import type { Clock } from '../core/clock.js';
import type { PreflightHttp } from '../core/engine.js';
import type { ClockCheck } from '../core/run-result.js';

/** How late a server's Date may be against its own clock (uvicorn's cached Date is refreshed every 100 ms). */
export const DATE_STALENESS_MS = 100;
/** Probe spacing while waiting for the Date header to tick over, and how long to wait at most. */
export const DATE_PROBE_SPACING_MS = 10;
export const DATE_PROBE_MAX_MS = 1200;

/** One probe: when it was sent and answered on this machine's clock, and the Date header it got. */
export interface DateSample {
  readonly sentMs: number;
  readonly receivedMs: number;
  readonly date: string | undefined;
}

export interface OffsetBounds {
  readonly lowMs: number;
  readonly highMs: number;
  /** Whether the header ticked over between two probes (the bounds are then narrow). */
  readonly ticked: boolean;
  readonly probes: number;
}

/**
 * Bounds on reference − local from Date samples: the server stamped a time in [D, D + 1 s + staleness) at some
 * moment between the probe's send and its answer, so each sample gives offset ∈ [D − received, D + 1 s + staleness −
 * sent]; the samples together give the intersection. Null when no sample carried a readable Date.
 */
export function offsetBoundsFromDates(samples: readonly DateSample[], stalenessMs = DATE_STALENESS_MS): OffsetBounds | null {
  let lowMs = Number.NEGATIVE_INFINITY;
  let highMs = Number.POSITIVE_INFINITY;
  const seen = new Set<number>();
  let probes = 0;
  for (const sample of samples) {
    const dateMs = sample.date === undefined ? Number.NaN : Date.parse(sample.date);
    if (!Number.isFinite(dateMs)) continue;
    probes++;
    seen.add(dateMs);
    lowMs = Math.max(lowMs, dateMs - sample.receivedMs);
    highMs = Math.min(highMs, dateMs + 1000 + stalenessMs - sample.sentMs);
  }
  return probes === 0 ? null : { lowMs, highMs, ticked: seen.size > 1, probes };
}

/** The verdict on bounds [low, high] against ±budget. */
export function judgeOffset(lowMs: number, highMs: number, budgetMs: number): ClockCheck['verdict'] {
  if (lowMs > budgetMs || highMs < -budgetMs) return 'beyond';
  if (lowMs >= -budgetMs && highMs <= budgetMs) return 'within';
  return 'undetermined';
}

/** The check for an offset given with --clock-offset-ms (exact). */
export function clockCheckFromFlag(offsetMs: number, budgetMs: number): ClockCheck {
  const verdict = judgeOffset(offsetMs, offsetMs, budgetMs);
  return {
    source: 'clock-offset-ms',
    offset_low_ms: offsetMs,
    offset_high_ms: offsetMs,
    budget_ms: budgetMs,
    verdict,
    detail: verdict === 'within'
      ? `--clock-offset-ms ${offsetMs}: within the ±${budgetMs} ms schedule-lag budget`
      : `--clock-offset-ms ${offsetMs}: this machine's clock is off by more than the ±${budgetMs} ms schedule-lag budget, so its share of the schedule runs ${Math.abs(offsetMs)} ms ${offsetMs > 0 ? 'late' : 'early'} against the reference; fix its NTP sync`,
  };
}

/** The check from the engine's Date header samples. */
export function clockCheckFromDates(samples: readonly DateSample[], budgetMs: number): ClockCheck {
  const bounds = offsetBoundsFromDates(samples);
  if (!bounds) {
    return {
      source: 'none',
      offset_low_ms: null,
      offset_high_ms: null,
      budget_ms: budgetMs,
      verdict: 'undetermined',
      detail: 'the engine sent no Date header, so this clock could not be checked; pass --clock-offset-ms from chrony or ntpdate',
    };
  }
  const { lowMs, highMs } = bounds;
  const range = `[${lowMs.toFixed(0)}, ${highMs.toFixed(0)}] ms`;
  if (lowMs > highMs) {
    return {
      source: 'date-header',
      offset_low_ms: lowMs,
      offset_high_ms: highMs,
      budget_ms: budgetMs,
      verdict: 'undetermined',
      detail: `the engine's Date headers contradict each other (${range}: a clock step during the probe, or a Date served more than ${DATE_STALENESS_MS} ms stale); pass --clock-offset-ms`,
    };
  }
  const verdict = judgeOffset(lowMs, highMs, budgetMs);
  const how = bounds.ticked
    ? `${bounds.probes} probes ${DATE_PROBE_SPACING_MS} ms apart saw the engine's Date (1 s resolution) tick over, which bounds the offset (engine − this machine) to ${range}, ${DATE_STALENESS_MS} ms of it allowed for a cached Date`
    : `the engine's Date (1 s resolution) did not tick over during ${bounds.probes} probes, so the offset (engine − this machine) is only known to lie in ${range}`;
  const says = verdict === 'beyond'
    ? `: this clock is off by more than the ±${budgetMs} ms schedule-lag budget; fix its NTP sync`
    : verdict === 'within'
      ? `: within the ±${budgetMs} ms budget`
      : `: the Date header cannot confirm the ±${budgetMs} ms budget (it tells offsets beyond about ${budgetMs + DATE_STALENESS_MS} ms); for that pass --clock-offset-ms from chrony or ntpdate`;
  return { source: 'date-header', offset_low_ms: lowMs, offset_high_ms: highMs, budget_ms: budgetMs, verdict, detail: how + says };
}

/**
 * GETs `path` every DATE_PROBE_SPACING_MS until the Date header changes (or DATE_PROBE_MAX_MS passed), with the
 * send and answer times on `clock`. A probe that fails ends the probing with what was seen so far.
 */
export async function probeEngineDate(http: PreflightHttp, path: string, clock: Clock, signal?: AbortSignal): Promise<DateSample[]> {
  const samples: DateSample[] = [];
  const startMs = clock.nowMs();
  while (!signal?.aborted) {
    const sentMs = clock.nowMs();
    let date: string | undefined;
    try {
      const response = await http.request({ method: 'GET', path, headers: {} });
      date = response.headers['date'];
    } catch {
      // The engine passed preflight a moment ago; a probe that fails now only leaves the clock less well known.
      break;
    }
    const receivedMs = clock.nowMs();
    samples.push({ sentMs, receivedMs, date });
    if (date === undefined || date !== samples[0]!.date || receivedMs - startMs > DATE_PROBE_MAX_MS) break;
    await clock.sleepUntil(sentMs + DATE_PROBE_SPACING_MS, signal);
  }
  return samples;
}
