import test from 'ava';
import type { Phase } from '../../pipeline/core/plan.js';
import type { StageSummary } from '../../pipeline/core/run-result.js';
import { LevelSearch, type MeasuredPhase } from '../../pipeline/run/level-search.js';
import { checkThreshold, type Threshold } from '../../pipeline/scenario/thresholds.js';

const slo = checkThreshold('ttft_ms', 'p95 < 1000') as Threshold;

function phaseFor(level: number, stageIndex: number, repeat: number): Phase {
  const name = `c=${level}${repeat ? `#${repeat + 1}` : ''}`;
  return { name, warmup: false, durationMs: 1000, requests: null, load: { kind: 'closed', users: [[0, level]], thinkTimeMs: 0 }, stages: [{ name, index: stageIndex, startMs: 0, target: level }] };
}

/** What the engine would measure: TTFT p95 = 40 ms · level (fails above 24). */
function measure(phase: Phase, ended?: string): MeasuredPhase {
  const level = phase.stages[0]!.target!;
  const metric = { count: 10, mean: 40 * level, stddev: 0, cv: 0, min: 0, p50: 0, p90: 0, p95: 40 * level, p99: 0, p999: 0, max: 0 };
  const stage = { name: phase.name, index: phase.stages[0]!.index, phase: phase.name, requests: { total: 10, ok: 10, error: 0, dropped: 0 }, metrics: { ttft_ms: metric } } as unknown as StageSummary;
  return { phase, stages: [stage], ...(ended ? { endedEarly: ended } : {}) };
}

function runSearch(search: LevelSearch, endEarly: (level: number) => boolean = () => false): number[] {
  const measured: MeasuredPhase[] = [];
  const levels: number[] = [];
  for (let phase = search.next(measured); phase; phase = search.next(measured)) {
    levels.push(phase.stages[0]!.target!);
    measured.push(measure(phase, endEarly(phase.stages[0]!.target!) ? 'saturated' : undefined));
  }
  return levels;
}

test('brackets by doubling, then bisects to a resolution of one user or 12.5 %', (t) => {
  const search = new LevelSearch({ mode: 'concurrency', lowest: 1, highest: 128, slos: [slo], repeats: 1, phaseFor });
  t.deepEqual(runSearch(search), [1, 2, 4, 8, 16, 32, 24, 28, 26]);
  t.true(search.verdicts().get(24));
  t.false(search.verdicts().get(26));
});

test('stops at the top of the range when every level passes, and at once when the lowest fails', (t) => {
  t.deepEqual(runSearch(new LevelSearch({ mode: 'concurrency', lowest: 1, highest: 16, slos: [slo], repeats: 1, phaseFor })), [1, 2, 4, 8, 16]);
  t.deepEqual(runSearch(new LevelSearch({ mode: 'concurrency', lowest: 32, highest: 64, slos: [slo], repeats: 1, phaseFor })), [32]);
});

test('repeats measure each level that many times; a level ended early (saturated) fails', (t) => {
  const levels = runSearch(new LevelSearch({ mode: 'concurrency', lowest: 4, highest: 16, slos: [slo], repeats: 2, phaseFor }), (level) => level === 16);
  t.deepEqual(levels, [4, 4, 8, 8, 16, 16, 12, 12, 14, 14]);
});
