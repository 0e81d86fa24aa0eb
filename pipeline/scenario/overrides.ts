/**
 * Command-line flags over a scenario (DESIGN §15: flags override files). Values may arrive as commander's
 * strings; each is checked here and a bad one is a UsageError naming its flag (all bad flags at once).
 *
 * Load flags reshape the load instead of poking single keys:
 * - `--concurrency N` → constant-concurrency, `--rate R` → constant-rate, `--stages S` →
 *   ramping-concurrency (with `--concurrency` as its start, like k6 `--vus` with `--stage`),
 *   `--rate-stages S` → ramping-rate (with `--rate` as its start). What still applies carries over from
 *   the file: stop conditions, think time, arrival settings.
 * - `--duration` / `--requests` replace the stop condition as a whole: `run quick --requests 3000` sends
 *   3000 requests rather than stopping at quick's 60 s; give both for "whichever comes first". On a sweep
 *   they set each level's; a ramping load's length comes from its stages, so `--duration` is refused there.
 * - `--burstiness` alone implies `--arrival gamma`.
 * - `--warmup N` is N requests, `--warmup 10s` a duration, `--warmup 0` none.
 * - `--threshold` replaces the file's thresholds for the metrics it names and keeps the others.
 */
import { ENGINE_KINDS, type ApiKind, type EngineKind } from '../core/engine.js';
import { UsageError } from '../core/errors.js';
import { ARRIVAL_PROCESSES, type ArrivalProcess } from '../load/arrival-process.js';
import { DURATION_EXAMPLES, durationMs, formatDuration, isDuration } from './duration.js';
import type { Document } from './merge.js';
import { API_KINDS, MAX_USERS, type LoadConfig, type Scenario } from './schema.js';
import { parseStagesFlag, type StageInput } from './stages-flag.js';
import { parseThresholdFlag, type Threshold } from './thresholds.js';
import { validateScenario } from './validate.js';

/** What `llmbench run` flags can change. Numbers may be given as the strings commander produces. */
export interface ScenarioOverrides {
  readonly engine?: string;
  readonly url?: string;
  readonly model?: string;
  readonly apiKeyEnv?: string;
  /** Endpoint family: native | completions | chat. */
  readonly api?: string;
  /** Users (closed loop). */
  readonly concurrency?: number | string;
  /** Requests/s (open loop). */
  readonly rate?: number | string;
  readonly arrival?: string;
  readonly burstiness?: number | string;
  readonly maxInFlight?: number | string;
  /** Users: "30s:10,10s:100,60s:100". */
  readonly stages?: string;
  /** Requests/s: "30s:5,60s:50". */
  readonly rateStages?: string;
  readonly duration?: string;
  readonly requests?: number | string;
  /** A request count ("5"), a duration ("10s"), or 0 for none. */
  readonly warmup?: number | string;
  readonly thinkTime?: string;
  readonly seed?: number | string;
  readonly promptTokens?: number | string;
  readonly maxTokens?: number | string;
  /** false for --no-stream. Pass it only when the user gave the flag, or it overrides the file's value. */
  readonly stream?: boolean;
  readonly dataset?: string;
  /** Repeatable `--threshold "ttft_ms:p95<2000"`. */
  readonly thresholds?: readonly string[];
}

/** The flags after checking, in schema units. */
interface CheckedFlags {
  engine?: EngineKind;
  url?: string;
  model?: string;
  apiKeyEnv?: string;
  api?: ApiKind;
  concurrency?: number;
  rate?: number;
  arrival?: ArrivalProcess;
  burstiness?: number;
  maxInFlight?: number;
  stages?: StageInput[];
  rateStages?: StageInput[];
  duration?: string;
  requests?: number;
  warmup?: { requests: number } | { duration: string } | null;
  thinkTime?: string;
  seed?: number;
  promptTokens?: number;
  maxTokens?: number;
  stream?: boolean;
  dataset?: string;
  thresholds?: Threshold[];
}

export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const flags = checkFlags(overrides);
  const next = structuredClone(scenario) as unknown as Document;

  const target: Document = { ...(scenario.target ?? {}) };
  if (flags.engine !== undefined) target['engine'] = flags.engine;
  if (flags.url !== undefined) target['url'] = flags.url;
  if (flags.model !== undefined) target['model'] = flags.model;
  if (flags.apiKeyEnv !== undefined) target['api_key_env'] = flags.apiKeyEnv;
  if (flags.api !== undefined) target['api'] = flags.api;
  if (Object.keys(target).length > 0) next['target'] = target;

  const workload: Document = { ...scenario.workload };
  if (flags.seed !== undefined) workload['seed'] = flags.seed;
  if (flags.promptTokens !== undefined) workload['prompt_tokens'] = flags.promptTokens;
  if (flags.maxTokens !== undefined) workload['max_tokens'] = flags.maxTokens;
  if (flags.stream !== undefined) workload['stream'] = flags.stream;
  if (flags.dataset !== undefined) workload['dataset'] = flags.dataset;
  next['workload'] = workload;

  next['load'] = overrideLoad(scenario.load, flags);

  if (flags.warmup === null) delete next['warmup'];
  else if (flags.warmup !== undefined) next['warmup'] = flags.warmup;

  if (flags.thresholds !== undefined && flags.thresholds.length > 0) {
    const thresholds: Document = { ...(scenario.thresholds ?? {}) };
    for (const metric of new Set(flags.thresholds.map((threshold) => threshold.metric))) {
      thresholds[metric] = flags.thresholds.filter((threshold) => threshold.metric === metric).map((threshold) => threshold.expression);
    }
    next['thresholds'] = thresholds;
  }

  return validateScenario(next, `scenario ${JSON.stringify(scenario.name)} with command-line flags`);
}

// ---- load ------------------------------------------------------------------------------------------------

function overrideLoad(load: LoadConfig, flags: CheckedFlags): Document {
  const stop = stopOf(load);
  let next: Document;
  if (flags.stages) {
    const start = flags.concurrency ?? (load.executor === 'ramping-concurrency' ? load.start_target : 0);
    next = { executor: 'ramping-concurrency', start_target: start, stages: flags.stages, requests: stop.requests, ...closedSettingsOf(load) };
  } else if (flags.rateStages) {
    const start = flags.rate ?? (load.executor === 'ramping-rate' ? load.start_target : 0);
    next = { executor: 'ramping-rate', start_target: start, stages: flags.rateStages, requests: stop.requests, ...openSettingsOf(load) };
  } else if (flags.concurrency !== undefined) {
    next = { executor: 'constant-concurrency', users: flags.concurrency, ...stop, ...closedSettingsOf(load) };
  } else if (flags.rate !== undefined) {
    next = { executor: 'constant-rate', rate: flags.rate, ...stop, ...openSettingsOf(load) };
  } else {
    next = { ...load };
  }

  applyStopFlags(next, flags);

  const closed = next['executor'] === 'constant-concurrency' || next['executor'] === 'ramping-concurrency'
    || (next['executor'] === 'sweep' && next['mode'] === 'concurrency');
  const loadName = next['executor'] === 'sweep' ? `sweep (mode: ${String(next['mode'])})` : String(next['executor']);
  if (flags.thinkTime !== undefined) {
    if (!closed) throw new UsageError(`--think-time applies to closed-loop loads (users); this load is ${loadName}, an open loop`);
    next['think_time'] = flags.thinkTime;
  }
  const openFlags = (['arrival', 'burstiness', 'maxInFlight'] as const).filter((key) => flags[key] !== undefined);
  if (openFlags.length > 0) {
    if (closed) {
      throw new UsageError(
        `${openFlags.map(flagName).join(', ')} ${openFlags.length === 1 ? 'applies' : 'apply'} to open-loop loads; this load is ${loadName}, a closed loop`,
        { hint: 'add --rate RPS or --rate-stages, or use a rate scenario' },
      );
    }
    if (flags.maxInFlight !== undefined) next['max_in_flight'] = flags.maxInFlight;
    if (flags.burstiness !== undefined) {
      if (flags.arrival !== undefined && flags.arrival !== 'gamma') {
        throw new UsageError(`--burstiness applies only to --arrival gamma, not ${flags.arrival}`);
      }
      next['arrival'] = 'gamma';
      next['burstiness'] = flags.burstiness;
    } else if (flags.arrival !== undefined) {
      next['arrival'] = flags.arrival;
      if (flags.arrival !== 'gamma') delete next['burstiness'];
    }
  }
  return stripUndefined(next);
}

/** `--duration`/`--requests` replace the stop condition as a whole (see the file comment). */
function applyStopFlags(next: Document, flags: CheckedFlags): void {
  if (flags.duration === undefined && flags.requests === undefined) return;
  const executor = next['executor'];
  if (executor === 'ramping-concurrency' || executor === 'ramping-rate') {
    if (flags.duration !== undefined) {
      throw new UsageError(`--duration does not apply to ${executor}: its stages set how long it runs`, {
        hint: 'change the stages (--stages / --rate-stages), or cap the run with --requests',
      });
    }
    next['requests'] = flags.requests;
    return;
  }
  const [durationKey, requestsKey] = executor === 'sweep' ? ['level_duration', 'level_requests'] : ['duration', 'requests'];
  next[durationKey] = flags.duration;
  next[requestsKey] = flags.requests;
}

function stopOf(load: LoadConfig): { duration?: string | undefined; requests?: number | undefined } {
  switch (load.executor) {
    case 'constant-concurrency':
    case 'constant-rate':
      return { duration: load.duration, requests: load.requests };
    case 'ramping-concurrency':
    case 'ramping-rate':
      return { duration: formatDuration(load.stages.reduce((sum, stage) => sum + durationMs(stage.duration), 0)), requests: load.requests };
    case 'sweep':
      return { duration: load.level_duration, requests: load.level_requests };
  }
}

function closedSettingsOf(load: LoadConfig): Document {
  if (load.executor === 'constant-concurrency' || load.executor === 'ramping-concurrency') return { think_time: load.think_time };
  if (load.executor === 'sweep' && load.think_time !== undefined) return { think_time: load.think_time };
  return {};
}

function openSettingsOf(load: LoadConfig): Document {
  if (load.executor === 'constant-rate' || load.executor === 'ramping-rate' || (load.executor === 'sweep' && load.mode === 'rate')) {
    return { arrival: load.arrival, burstiness: load.burstiness, max_in_flight: load.max_in_flight };
  }
  return {};
}

function stripUndefined(document: Document): Document {
  return Object.fromEntries(Object.entries(document).filter(([, value]) => value !== undefined));
}

// ---- flag checks -----------------------------------------------------------------------------------------

const FLAG_NAMES: Record<keyof ScenarioOverrides, string> = {
  engine: '--engine', url: '--url', model: '--model', apiKeyEnv: '--api-key-env', api: '--api', concurrency: '--concurrency',
  rate: '--rate', arrival: '--arrival', burstiness: '--burstiness', maxInFlight: '--max-in-flight', stages: '--stages',
  rateStages: '--rate-stages', duration: '--duration', requests: '--requests', warmup: '--warmup',
  thinkTime: '--think-time', seed: '--seed', promptTokens: '--prompt-tokens', maxTokens: '--max-tokens',
  stream: '--no-stream', dataset: '--dataset', thresholds: '--threshold',
};

function flagName(key: keyof ScenarioOverrides): string {
  return FLAG_NAMES[key];
}

function checkFlags(overrides: ScenarioOverrides): CheckedFlags {
  const problems: string[] = [];
  const flags: CheckedFlags = {};
  const problem = (key: keyof ScenarioOverrides, message: string) =>
    problems.push(`${flagName(key)}: ${message}, got ${JSON.stringify(overrides[key])}`);

  const number = (key: keyof ScenarioOverrides, options: { whole: boolean; min: number; max: number; exclusiveMin?: boolean }) => {
    const raw = overrides[key];
    if (raw === undefined) return undefined;
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    const low = options.exclusiveMin ? value > options.min : value >= options.min;
    if (!Number.isFinite(value) || (options.whole && !Number.isInteger(value)) || !low || value > options.max) {
      const kind = options.whole ? 'a whole number' : 'a number';
      problem(key, `must be ${kind} ${options.exclusiveMin ? '>' : '≥'} ${options.min}${Number.isFinite(options.max) ? ` and ≤ ${options.max}` : ''}`);
      return undefined;
    }
    return value;
  };
  const duration = (key: 'duration' | 'thinkTime', allowZero: boolean) => {
    const raw = overrides[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || !isDuration(raw.trim()) || (!allowZero && durationMs(raw.trim()) <= 0)) {
      problem(key, `must be a duration${allowZero ? '' : ' longer than 0'} with a unit (${DURATION_EXAMPLES})`);
      return undefined;
    }
    return raw.trim();
  };

  if (overrides.engine !== undefined) {
    if ((ENGINE_KINDS as readonly string[]).includes(overrides.engine)) flags.engine = overrides.engine as EngineKind;
    else problem('engine', `must be one of ${ENGINE_KINDS.join(', ')}`);
  }
  if (overrides.url !== undefined) {
    if (isHttpUrl(overrides.url)) flags.url = overrides.url;
    else problem('url', 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8000');
  }
  if (overrides.model !== undefined) {
    if (overrides.model.trim() !== '') flags.model = overrides.model;
    else problem('model', 'must not be empty');
  }
  if (overrides.apiKeyEnv !== undefined) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(overrides.apiKeyEnv)) flags.apiKeyEnv = overrides.apiKeyEnv;
    else problem('apiKeyEnv', 'must be the name of an environment variable, e.g. OPENAI_API_KEY');
  }
  if (overrides.api !== undefined) {
    if ((API_KINDS as readonly string[]).includes(overrides.api)) flags.api = overrides.api as ApiKind;
    else problem('api', `must be one of ${API_KINDS.join(', ')}`);
  }
  flags.concurrency = number('concurrency', { whole: true, min: 1, max: MAX_USERS });
  flags.rate = number('rate', { whole: false, min: 0, max: 1_000_000, exclusiveMin: !overrides.rateStages });
  if (overrides.arrival !== undefined) {
    if ((ARRIVAL_PROCESSES as readonly string[]).includes(overrides.arrival)) flags.arrival = overrides.arrival as ArrivalProcess;
    else problem('arrival', `must be one of ${ARRIVAL_PROCESSES.join(', ')}`);
  }
  flags.burstiness = number('burstiness', { whole: false, min: 0, max: 1000, exclusiveMin: true });
  flags.maxInFlight = number('maxInFlight', { whole: true, min: 1, max: 1_000_000 });
  flags.requests = number('requests', { whole: true, min: 1, max: 1e9 });
  flags.seed = number('seed', { whole: true, min: 0, max: 0xffffffff });
  flags.promptTokens = number('promptTokens', { whole: true, min: 1, max: 10_000_000 });
  flags.maxTokens = number('maxTokens', { whole: true, min: 1, max: 10_000_000 });
  flags.duration = duration('duration', false);
  flags.thinkTime = duration('thinkTime', true);
  if (overrides.stream !== undefined) flags.stream = overrides.stream;
  if (overrides.dataset !== undefined) {
    if (overrides.dataset.trim() !== '') flags.dataset = overrides.dataset;
    else problem('dataset', 'must be a path to a JSONL file');
  }
  if (overrides.warmup !== undefined) flags.warmup = checkWarmup(overrides.warmup, () => problem('warmup', `must be a request count (e.g. 5), a duration (${DURATION_EXAMPLES}) or 0 for none`));

  // These throw UsageError themselves, with per-stage detail; collect them with the rest.
  const collect = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  if (overrides.stages !== undefined) flags.stages = collect(() => parseStagesFlag(overrides.stages!, { flag: '--stages', wholeTargets: true }));
  if (overrides.rateStages !== undefined) flags.rateStages = collect(() => parseStagesFlag(overrides.rateStages!, { flag: '--rate-stages', wholeTargets: false }));

  const conflicts: Array<[keyof ScenarioOverrides, keyof ScenarioOverrides, string]> = [
    ['concurrency', 'rate', 'one sets users (closed loop), the other requests/s (open loop)'],
    ['stages', 'rateStages', 'give the stages of one load: users or requests/s'],
    ['stages', 'rate', '--stages ramps users; ramp requests/s with --rate-stages'],
    ['rateStages', 'concurrency', '--rate-stages ramps requests/s; ramp users with --stages'],
  ];
  for (const [a, b, why] of conflicts) {
    if (overrides[a] !== undefined && overrides[b] !== undefined) problems.push(`${flagName(a)} and ${flagName(b)} cannot be combined: ${why}`);
  }
  if (problems.length > 0) {
    throw new UsageError(problems.length === 1 ? problems[0]! : `invalid flags:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
  // Threshold flags are ScenarioErrors (same exit code 2) naming the metric or statistic; checked last.
  if (overrides.thresholds !== undefined) flags.thresholds = overrides.thresholds.map(parseThresholdFlag);
  return flags;
}

function checkWarmup(raw: number | string, fail: () => void): CheckedFlags['warmup'] {
  const text = String(raw).trim();
  if (/^\d+$/.test(text)) return Number(text) === 0 ? null : { requests: Number(text) };
  if (isDuration(text)) return durationMs(text) === 0 ? null : { duration: text };
  fail();
  return undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false; // not a URL at all: reported by the caller with the flag's name
  }
}
