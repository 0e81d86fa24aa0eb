/**
 * How often the analysis calls a change where there is none, and how often it finds one that is there (issue 19).
 *
 * Synthetic (the statistical procedures alone, bench/common/synthetic-run.ts): steady closed-loop runs whose
 * TTFT varies ±10 % with a 1 % tail, each a different seed.
 *   - compare: pairs of runs of one configuration → share not `unchanged`; and the share that catches a +5 %
 *     and a +10 % TTFT shift.
 *   - anomalies: steady runs → share with any anomaly (by kind); runs with a 15 s slowdown of +50 % → share
 *     where both ends are found within 2 s.
 * Real (--real N): N pairs of `llmbench run` of one configuration against `llmbench sim` (the batching model,
 * its own process) through the CLI, compared with `llmbench compare`, and the anomalies of those 2N runs; and
 * against fixed-latency simulators, N same-configuration pairs and N pairs each with TTFT +5 % and +10 %.
 *
 *   npx tsx bench/analytics/false-positives.ts [--trials 300] [--real 10]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeRun } from '../../analytics/analyze.js';
import { compareRuns, type SideRun } from '../../analytics/compare.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { syntheticRun } from '../common/synthetic-run.js';
import { binPath, startSimProcess } from '../common/sim-process.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '300' }, real: { type: 'string', default: '0' } } });
const trials = Number(values.trials);
const realPairs = Number(values.real);

const steadyTtft = (scale = 1) => (_t: number, random: () => number) => scale * (40 * (0.9 + 0.2 * random()) + (random() < 0.01 ? 300 * random() : 0));
const side = (seed: number, scale = 1): SideRun[] => {
  const { result, data } = syntheticRun([{ level: 8, seconds: 30, ttftMs: steadyTtft(scale) }], { seed });
  return [{ dir: `synthetic-${seed}`, result: { ...result, run_id: `s${seed}` }, data }];
};
const pct = (count: number, of: number) => `${((100 * count) / of).toFixed(1)} % (${count}/${of})`;

console.log(`synthetic: ${trials} trials each; 8 users, 30 s per compared run (~2 000 requests), 60 s per anomaly run`);
let compareFalse = 0;
let caught5 = 0;
let caught10 = 0;
for (let i = 0; i < trials; i++) {
  if (compareRuns(side(2 * i + 1), side(2 * i + 2), { resamples: 2000 }).verdict !== 'unchanged') compareFalse++;
  if (compareRuns(side(5000 + i), side(9000 + i, 1.05), { resamples: 2000 }).metrics.ttft_ms!.verdict === 'regressed') caught5++;
  if (compareRuns(side(15000 + i), side(19000 + i, 1.1), { resamples: 2000 }).metrics.ttft_ms!.verdict === 'regressed') caught10++;
}
console.log(`compare, same configuration, called changed:      ${pct(compareFalse, trials)}`);
console.log(`compare, TTFT +5 % found regressed:                ${pct(caught5, trials)}`);
console.log(`compare, TTFT +10 % found regressed:               ${pct(caught10, trials)}`);

const kinds = new Map<string, number>();
let anyAnomaly = 0;
let bothEnds = 0;
for (let i = 0; i < trials; i++) {
  const steady = syntheticRun([{ level: 8, seconds: 60, ttftMs: steadyTtft() }], { seed: 30_000 + i });
  const anomalies = analyzeRun(steady.result, steady.data).anomalies;
  if (anomalies.length > 0) anyAnomaly++;
  for (const anomaly of anomalies) kinds.set(`${anomaly.kind} ${anomaly.metric}`, (kinds.get(`${anomaly.kind} ${anomaly.metric}`) ?? 0) + 1);
  const slow = (tMs: number) => tMs >= 20_000 && tMs < 35_000;
  const episode = syntheticRun([{ level: 8, seconds: 60, ttftMs: (tMs, random) => (slow(tMs) ? 1.5 : 1) * steadyTtft()(tMs, random) }], { seed: 40_000 + i });
  const start = Date.parse(episode.result.started_at);
  const changes = analyzeRun(episode.result, episode.data).anomalies.filter((a) => a.kind === 'change_point' && a.metric === 'ttft_p50_ms');
  const near = (ms: number) => changes.some((change) => Math.abs(change.at_ms - start - ms) <= 2000);
  if (near(20_000) && near(35_000)) bothEnds++;
}
console.log(`anomalies, steady run with any anomaly:            ${pct(anyAnomaly, trials)}${kinds.size ? `  [${[...kinds].map(([k, n]) => `${k}: ${n}`).join(', ')}]` : ''}`);
console.log(`anomalies, 15 s slowdown (+50 %) found at both ends: ${pct(bothEnds, trials)}`);

if (realPairs > 0) {
  const sim = await startSimProcess(['--engine', 'vllm', '--seed', '3']);
  // Fixed-latency simulators for power: the same decode speed, TTFT 40 ms against 42 ms (+5 %) and 44 ms (+10 %).
  const fixed = await Promise.all([40, 42, 44].map((ttft) => startSimProcess(['--engine', 'vllm', '--ttft-ms', String(ttft), '--itl-ms', '8'])));
  const root = await mkdtemp(join(tmpdir(), 'llmbench-fp-'));
  const run = async (name: string, url: string) => {
    const out = join(root, name);
    await cli(['run', '--engine', 'vllm', '--url', url, '--model', 'sim', '--concurrency', '8', '--duration', '8s', '--max-tokens', '32', '--prompt-tokens', '64', '--no-monitor', '--quiet', '--out', out]);
    return out;
  };
  const compared = async (a: string, b: string) => JSON.parse((await cli(['compare', a, b, '--format', 'json'])).stdout) as { verdict: string; metrics: Record<string, { verdict: string }> };
  let realFalse = 0;
  let realAnomalous = 0;
  let fixedFalse = 0;
  let fixed5 = 0;
  let fixed10 = 0;
  for (let i = 0; i < realPairs; i++) {
    const a = await run(`a${i}`, sim.url);
    const b = await run(`b${i}`, sim.url);
    if ((await compared(a, b)).verdict !== 'unchanged') realFalse++;
    for (const dir of [a, b]) {
      const result = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunResult;
      if (result.analysis!.anomalies.length > 0) {
        realAnomalous++;
        console.log(`  ${dir}: ${result.analysis!.anomalies.map((x) => `${x.kind} ${x.metric}: ${x.detail}`).join('; ')}`);
      }
    }
    const base = await run(`f40-${i}`, fixed[0]!.url);
    const same = await run(`f40b-${i}`, fixed[0]!.url);
    if ((await compared(base, same)).verdict !== 'unchanged') fixedFalse++;
    if ((await compared(base, await run(`f42-${i}`, fixed[1]!.url))).metrics.ttft_ms?.verdict === 'regressed') fixed5++;
    if ((await compared(base, await run(`f44-${i}`, fixed[2]!.url))).metrics.ttft_ms?.verdict === 'regressed') fixed10++;
  }
  await Promise.all([sim, ...fixed].map((server) => server.stop()));
  console.log(`real (llmbench sim through the CLI, 8 users × 8 s per run, ~145 requests):`);
  console.log(`compare, same configuration (batching model), called changed: ${pct(realFalse, realPairs)}`);
  console.log(`compare, same configuration (fixed 40 ms), called changed:    ${pct(fixedFalse, realPairs)}`);
  console.log(`compare, TTFT 40 → 42 ms (+5 %) found regressed:              ${pct(fixed5, realPairs)}`);
  console.log(`compare, TTFT 40 → 44 ms (+10 %) found regressed:             ${pct(fixed10, realPairs)}`);
  console.log(`anomalies, batching-model run with any anomaly:               ${pct(realAnomalous, 2 * realPairs)}`);
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath(), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (part: Buffer) => (stdout += part.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}
