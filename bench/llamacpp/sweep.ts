/**
 * Scaling on real batching: a concurrency sweep against Debian's llama-server on the generated `small` model
 * (shared/tools/llama-server.sh), through llmbench's own `sweep` executor and CLI, so the numbers are what a
 * user of `llmbench run` would get. Prints one row per level and where added concurrency stops adding
 * throughput while latency climbs.
 *
 *   npm run build && npx tsx bench/llamacpp/sweep.ts [--levels 1,2,4,8] [--level-duration 30s]
 *     [--max-tokens 32] [--prompt-tokens 4] [--api chat|native|completions] [--parallel 8] [--threads 1] [--out DIR]
 *
 * The server gets `--parallel` slots (enough for the highest level to decode at once, so the curve shows
 * batching, not queueing) and `--threads` CPU threads. The model's tokenizer is byte-level, so prompts are
 * kept short (4 words + the chat template ≈ 70 tokens): on one CPU thread prefill costs about as much as
 * decode and would otherwise hide the batching. `chat` is the default API because on /completion this
 * model's greedy noise is mostly bytes that never form UTF-8 characters, and the server holds all of them
 * back to the final event: TTFT would equal e2e and there would be no ITL. Through the chat template the
 * output is word pieces, streamed one token per chunk (the `tok/chunk` column shows it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunResult, StageSummary } from '../../pipeline/core/run-result.js';
import { CLOCK_TICKS_PER_SECOND, readPidStat } from '../../collectors/resources/process/procfs-process.js';
import { startLlamaServer } from './llama-server.js';

const { values: flags } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,2,4,8' },
    'level-duration': { type: 'string', default: '30s' },
    'max-tokens': { type: 'string', default: '32' },
    'prompt-tokens': { type: 'string', default: '4' },
    api: { type: 'string', default: 'chat' },
    parallel: { type: 'string', default: '8' },
    threads: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});

/** Output tok/s growing less than this from one level to the next counts as "stopped growing". */
const FLAT_GAIN = 0.1;

const BIN = fileURLToPath(new URL('../../bin/llmbench.js', import.meta.url));

async function main(): Promise<void> {
  const levels = flags.levels.split(',').map(Number);
  const threads = Number(flags.threads);
  const server = await startLlamaServer({ size: 'small', parallel: Number(flags.parallel), threads, allowDownload: true });
  try {
    const work = await mkdtemp(join(tmpdir(), 'llmbench-llamacpp-sweep-'));
    const scenario = join(work, 'llamacpp-sweep.yaml');
    await writeFile(scenario, scenarioYaml(levels));
    const out = flags.out ?? join(work, 'run');
    const args = ['run', scenario, '--engine', 'llamacpp', '--api', flags.api, '--url', server.url, '--model', server.model, '--out', out, '--no-monitor'];
    console.log(`server: shared/tools/llama-server.sh --size small --parallel ${flags.parallel} --threads ${threads} (${server.url})`);
    console.log(`scenario ${scenario}:\n${scenarioYaml(levels).replace(/^/gm, '  ')}`);
    console.log(`llmbench ${args.join(' ')}`);
    const loadBefore = loadavg();
    const cpuBefore = processCpuSeconds(server.pid);
    const startedMs = Date.now();
    await runCli(args);
    const wallS = (Date.now() - startedMs) / 1000;
    const serverCores = (processCpuSeconds(server.pid) - cpuBefore) / wallS;
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
    console.log('');
    console.log(renderTable(run.stages));
    console.log('');
    for (const line of saturation(run.stages)) console.log(line);
    console.log('');
    console.log(`machine: ${cpus().length} cores; load average ${fmt(loadBefore[0]!, 2)} before, ${fmt(loadavg()[0]!, 2)} after (1 min);`);
    console.log(`llama-server used ${fmt(serverCores, 2)} cores on average over ${fmt(wallS, 0)} s; run ${run.valid ? 'valid' : `INVALID (${run.validity.filter((c) => !c.ok).map((c) => c.name).join(', ')})`}; run directory ${out}`);
  } finally {
    await server.stop();
  }
}

function scenarioYaml(levels: readonly number[]): string {
  return [
    'name: llamacpp-sweep',
    'description: Concurrency sweep on a real llama-server (small model), short levels',
    'extends: sweep',
    `workload: { prompt_tokens: ${flags['prompt-tokens']}, max_tokens: ${flags['max-tokens']}, stream: true }`,
    `load: { levels: [${levels.join(', ')}], level_duration: ${flags['level-duration']} }`,
    'warmup: { requests: 2 }',
    '',
  ].join('\n');
}

function runCli(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`llmbench exited with ${code}`))));
  });
}

/** utime + stime of a process, seconds (Linux /proc). */
function processCpuSeconds(pid: number): number {
  const stat = readPidStat(pid);
  return stat ? stat.cpuTicks / CLOCK_TICKS_PER_SECOND : Number.NaN;
}

interface Row {
  readonly stage: StageSummary;
  readonly level: number;
  readonly rps: number;
  readonly outputTps: number;
  readonly e2eP50: number;
  readonly ttftP95: number;
}

function rows(stages: readonly StageSummary[]): Row[] {
  return stages
    .filter((stage) => stage.name.startsWith('c='))
    .map((stage) => ({
      stage,
      level: Number(stage.name.slice(2)),
      rps: stage.throughput.rps,
      outputTps: stage.throughput.output_tps,
      e2eP50: stage.metrics.total_duration_ms?.p50 ?? Number.NaN,
      ttftP95: stage.metrics.ttft_ms?.p95 ?? Number.NaN,
    }));
}

function renderTable(stages: readonly StageSummary[]): string {
  const header = ['concurrency', 'ok/err', 'req/s', 'out tok/s', 'tok/s per stream', 'decode tok/s', 'TTFT p50', 'TTFT p95', 'ITL p50', 'e2e p50', 'e2e p95', 'tok/chunk'];
  const lines = rows(stages).map(({ stage, level, rps, outputTps }) => {
    const m = stage.metrics;
    return [
      String(level),
      `${stage.requests.ok}/${stage.requests.error}`,
      fmt(rps, 2),
      fmt(outputTps, 1),
      fmt(outputTps / level, 1),
      fmt((level * 1000) / (m.itl_pooled_ms?.p50 ?? Number.NaN), 1),
      ms(m.ttft_ms?.p50),
      ms(m.ttft_ms?.p95),
      ms(m.itl_pooled_ms?.p50),
      ms(m.total_duration_ms?.p50),
      ms(m.total_duration_ms?.p95),
      fmt(m.tokens_per_chunk?.mean ?? Number.NaN, 2),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const render = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padStart(widths[i]!)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|`, ...lines.map(render), '(latencies in ms; ITL = pooled per-token gap; decode tok/s = concurrency × 1000 / ITL p50, the engine\'s decode rate over all streams while they decode)'].join('\n');
}

/** Where each doubling stopped paying: throughput gain vs latency growth, level over level. */
function saturation(stages: readonly StageSummary[]): string[] {
  const table = rows(stages);
  const lines: string[] = [];
  let knee: Row | undefined;
  for (let i = 1; i < table.length; i++) {
    const [before, after] = [table[i - 1]!, table[i]!];
    const gain = after.outputTps / before.outputTps - 1;
    const e2eGrowth = after.e2eP50 / before.e2eP50;
    lines.push(`c=${before.level} → c=${after.level}: output tok/s ${signed(gain * 100)}%, e2e p50 ×${fmt(e2eGrowth, 2)}, TTFT p95 ×${fmt(after.ttftP95 / before.ttftP95, 2)}`);
    if (!knee && gain < FLAT_GAIN) knee = before;
  }
  const best = table.reduce((a, b) => (b.outputTps > a.outputTps ? b : a), table[0]!);
  if (knee) lines.push(`saturation: throughput stops growing (< +${FLAT_GAIN * 100}% per doubling) after c=${knee.level}; the most output tok/s was ${fmt(best.outputTps, 1)} at c=${best.level}`);
  else lines.push(`no saturation within these levels: output tok/s still grew ≥ ${FLAT_GAIN * 100}% at every step (best ${fmt(best.outputTps, 1)} at c=${best.level})`);
  return lines;
}

const fmt = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ms = (value: number | undefined) => (value === undefined ? '-' : fmt(value, value < 100 ? 1 : 0));
const signed = (value: number) => `${value >= 0 ? '+' : ''}${fmt(value, 0)}`;

await main();
