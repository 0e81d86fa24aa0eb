/**
 * The clock check of a shared start (DESIGN §16): the offset bounds from the engine's Date header always hold the
 * true offset, and the verdict says `beyond` only when it is certain, `within` only when it is certain. Time is
 * simulated: a fake engine whose clock runs `offsetMs` ahead of ours answers after a round trip, with its Date
 * header (whole seconds, optionally served stale).
 */
import test from 'ava';
import type { Clock } from '../../../pipeline/core/clock.js';
import type { ClockCheck } from '../../../pipeline/core/run-result.js';
import type { PreflightHttp } from '../../../pipeline/core/engine.js';
import {
  clockCheckFromDates,
  clockCheckFromFlag,
  DATE_PROBE_MAX_MS,
  judgeOffset,
  offsetBoundsFromDates,
  probeEngineDate,
} from '../../../pipeline/run/clock-offset.js';

class SteppedClock implements Clock {
  constructor(public t: number) {}
  nowMs(): number {
    return this.t;
  }
  sleepUntil(atMs: number): Promise<void> {
    this.t = Math.max(this.t, atMs);
    return Promise.resolve();
  }
}

/** An engine `offsetMs` ahead of `clock`, answering after `rttMs`, its Date header `staleMs` behind its own clock. */
function fakeEngine(clock: SteppedClock, offsetMs: number, rttMs: number, staleMs = 0, date = true): PreflightHttp & { requests: number } {
  const engine = {
    requests: 0,
    request() {
      engine.requests++;
      clock.t += rttMs / 2;
      const serverMs = clock.t + offsetMs - staleMs;
      clock.t += rttMs / 2;
      const headers: Record<string, string> = date ? { date: new Date(Math.floor(serverMs / 1000) * 1000).toUTCString() } : {};
      return Promise.resolve({ status: 200, headers, body: '' });
    },
  };
  return engine;
}

const BUDGET_MS = 25;
const cases: Array<{ offsetMs: number; rttMs: number; staleMs: number; startMs: number; verdict: ClockCheck['verdict'] }> = [
  // In sync: the Date header cannot confirm ±25 ms (its upper bound keeps 100 ms for a cached Date).
  { offsetMs: 0, rttMs: 1, staleMs: 0, startMs: 1_700_000_000_250, verdict: 'undetermined' },
  { offsetMs: 0, rttMs: 1, staleMs: 90, startMs: 1_700_000_000_999, verdict: 'undetermined' },
  // Engine 60 ms ahead: the lower bound alone is past the budget.
  { offsetMs: 60, rttMs: 2, staleMs: 0, startMs: 1_700_000_000_500, verdict: 'beyond' },
  // This machine 60 ms ahead: within the Date header's slack, so it cannot tell.
  { offsetMs: -60, rttMs: 2, staleMs: 0, startMs: 1_700_000_000_100, verdict: 'undetermined' },
  // Seconds off either way (no NTP at all): beyond, whatever the phase of the second.
  { offsetMs: 3000, rttMs: 5, staleMs: 50, startMs: 1_700_000_000_700, verdict: 'beyond' },
  { offsetMs: -2500, rttMs: 5, staleMs: 0, startMs: 1_700_000_000_010, verdict: 'beyond' },
];
for (const c of cases) {
  test(`Date header: engine ${c.offsetMs} ms off, round trip ${c.rttMs} ms, Date ${c.staleMs} ms stale → ${c.verdict}, bounds hold the truth`, async (t) => {
    const clock = new SteppedClock(c.startMs);
    const engine = fakeEngine(clock, c.offsetMs, c.rttMs, c.staleMs);
    const samples = await probeEngineDate(engine, '/health', clock);
    t.true(clock.t - c.startMs <= DATE_PROBE_MAX_MS + 50, 'the probe is bounded in time');
    const bounds = offsetBoundsFromDates(samples)!;
    t.true(bounds.ticked, 'the Date ticked over within the probe');
    t.true(bounds.lowMs <= c.offsetMs && c.offsetMs <= bounds.highMs, `${c.offsetMs} in [${bounds.lowMs}, ${bounds.highMs}]`);
    // Watching it tick narrows a 1 s resolution to the spacing, a round trip and the staleness allowance.
    t.true(bounds.highMs - bounds.lowMs <= 100 + 10 + 2 * c.rttMs + 1, `width ${bounds.highMs - bounds.lowMs}`);
    const check = clockCheckFromDates(samples, BUDGET_MS);
    t.is(check.source, 'date-header');
    t.is(check.verdict, c.verdict);
    t.regex(check.detail, /1 s resolution/);
  });
}

test('a single Date answer only bounds the offset to about a second', (t) => {
  const bounds = offsetBoundsFromDates([{ sentMs: 1_700_000_000_400, receivedMs: 1_700_000_000_402, date: new Date(1_700_000_000_000).toUTCString() }])!;
  t.false(bounds.ticked);
  t.true(bounds.highMs - bounds.lowMs > 1000);
  t.is(judgeOffset(bounds.lowMs, bounds.highMs, BUDGET_MS), 'undetermined');
});

test('no Date header: the source is none and the verdict undetermined, with what to do', async (t) => {
  const clock = new SteppedClock(1_700_000_000_000);
  const engine = fakeEngine(clock, 0, 1, 0, false);
  const check = clockCheckFromDates(await probeEngineDate(engine, '/', clock), BUDGET_MS);
  t.is(engine.requests, 1);
  t.is(check.source, 'none');
  t.is(check.verdict, 'undetermined');
  t.regex(check.detail, /--clock-offset-ms/);
});

const flags: Array<[number, ClockCheck['verdict']]> = [
  [0, 'within'],
  [25, 'within'],
  [-12.5, 'within'],
  [25.1, 'beyond'],
  [-40, 'beyond'],
];
for (const [offsetMs, verdict] of flags) {
  test(`--clock-offset-ms ${offsetMs} against ±${BUDGET_MS} ms → ${verdict}`, (t) => {
    const check = clockCheckFromFlag(offsetMs, BUDGET_MS);
    t.is(check.verdict, verdict);
    t.is(check.offset_low_ms, offsetMs);
    if (verdict === 'beyond') t.regex(check.detail, /NTP/);
  });
}
