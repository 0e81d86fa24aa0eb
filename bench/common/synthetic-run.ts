/**
 * Synthetic runs whose answer is known: closed-loop levels of `level` users, each user sending back to back
 * for `seconds`, every request's TTFT and duration given by functions of (level, time), so a test can put the
 * knee, the SLO crossing or a slowdown exactly where it wants. Summaries come from the real RunSummarizer.
 */
import { mulberry32 } from '../../pipeline/core/random.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { RUN_SCHEMA_VERSION, type RunResult } from '../../pipeline/core/run-result.js';
import { RunSummarizer } from '../../pipeline/run/run-summarizer.js';
import { windowPoints } from '../../pipeline/run/windows.js';
import { RunDataBuilder, type RunData } from '../../analytics/run-data.js';

export interface LevelShape {
  readonly level: number;
  readonly seconds: number;
  /** TTFT of a request sent at `tMs` (ms since the level started). */
  readonly ttftMs: (tMs: number, random: () => number) => number;
  /** Output tokens per request and the gap between them. */
  readonly tokens?: number;
  readonly itlMs?: (tMs: number, random: () => number) => number;
}

export interface SyntheticRun {
  readonly result: RunResult;
  readonly data: RunData;
  readonly records: RequestRecord[];
}

const START_MS = 1_800_000_000_000;

export function syntheticRun(levels: readonly LevelShape[], options: { executor?: 'sweep' | 'constant-concurrency'; seed?: number } = {}): SyntheticRun {
  const random = mulberry32(options.seed ?? 7);
  const records: RequestRecord[] = [];
  let clockMs = START_MS;
  levels.forEach((shape, stageIndex) => {
    const stage = `c=${shape.level}`;
    const levelStartMs = clockMs;
    const endMs = levelStartMs + shape.seconds * 1000;
    for (let user = 0; user < shape.level; user++) {
      let sendMs = levelStartMs + random() * 50;
      let k = 0;
      while (sendMs < endMs) {
        const ttft = shape.ttftMs(sendMs - levelStartMs, random);
        const tokens = shape.tokens ?? 8;
        const itl = shape.itlMs?.(sendMs - levelStartMs, random) ?? 10;
        const offsets = Array.from({ length: tokens }, (_, i) => ttft + i * itl);
        const doneMs = sendMs + offsets[offsets.length - 1]! + 0.5;
        records.push(record(`${stage}-u${user}-${k++}`, stage, stageIndex, user, sendMs, offsets, doneMs));
        sendMs = doneMs + 0.2;
      }
    }
    clockMs = endMs + 2000;
  });
  const summarizer = new RunSummarizer();
  summarizer.add(records);
  const phases = levels.map((shape, index) => ({ name: `c=${shape.level}`, warmup: false, stages: [{ name: `c=${shape.level}`, index, target: shape.level }] }));
  const executor = options.executor ?? (levels.length > 1 ? 'sweep' : 'constant-concurrency');
  const load = executor === 'sweep'
    ? { executor: 'sweep', mode: 'concurrency', levels: levels.map((shape) => shape.level), level_duration: '10s' }
    : { executor: 'constant-concurrency', users: levels[0]!.level, duration: `${levels[0]!.seconds}s`, think_time: '0s' };
  const summary = summarizer.summary();
  const result: RunResult = {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: 'synthetic',
    tool: { name: 'llmbench', version: 'test' },
    status: 'completed',
    valid: true,
    validity: [],
    started_at: new Date(START_MS).toISOString(),
    ended_at: new Date(clockMs).toISOString(),
    scenario: { name: 'synthetic', load, workload: { prompt_tokens: 32, max_tokens: 8, stream: true, seed: 1 } },
    target: { engine: 'vllm', url: 'http://127.0.0.1:1', model: 'm', api: 'chat', network_rtt_ms: 0.1 },
    host: {},
    client_health: { schedule_lag_p99_ms: null, event_loop_delay_p99_ms: null, client_cpu_pct: null, dropped_arrivals: 0 },
    summary,
    stages: summarizer.stages(phases),
  };
  const builder = new RunDataBuilder();
  for (const each of records) builder.addRecord(each);
  builder.addWindows(windowPoints(records, { runId: 'synthetic', engine: 'vllm', model: 'm' }));
  return { result, data: builder.build(), records };
}

function record(id: string, stage: string, stageIndex: number, user: number, sendMs: number, offsets: number[], doneMs: number): RequestRecord {
  const ttft = offsets[0]!;
  const last = offsets[offsets.length - 1]!;
  const itl = offsets.length > 1 ? (last - ttft) / (offsets.length - 1) : 0;
  return {
    request_id: id,
    run_id: 'synthetic',
    stage,
    stage_index: stageIndex,
    warmup: false,
    status: 'ok',
    engine: 'vllm',
    model: 'm',
    stream: true,
    worker: 0,
    user,
    t_intended: sendMs,
    t_dispatch: sendMs,
    t_send: sendMs,
    t_headers: sendMs + ttft / 2,
    t_first_token: sendMs + ttft,
    t_last_token: sendMs + last,
    t_done: doneMs,
    prompt_tokens: 32,
    output_tokens: offsets.length,
    token_source: 'server',
    chunks: offsets.map((offset) => [offset, 1]),
    metrics: { ttft_ms: ttft, itl_ms: itl, tpot_ms: itl, total_duration_ms: doneMs - sendMs, output_tokens: offsets.length, prompt_tokens: 32, schedule_lag_ms: 0 },
    sources: { ttft_ms: 'client', itl_ms: 'client', total_duration_ms: 'client' },
    server: {},
  };
}
