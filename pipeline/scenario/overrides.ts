/**
 * Command-line flags over a scenario (DESIGN §15: flags override files), validated by the one scenario schema:
 * each flag's value is put where the same setting lives in a file (`--concurrency` → `load.users`), and the
 * merged document is validated once, so a bad flag and the same bad key in YAML get the same message, the flag
 * named beside the path: `--concurrency (load.users): must be ≥ 1, got 0`. Only what has no place in a file is
 * checked here: the flags' own syntax (`--stages` pairs, `--warmup`, `--threshold METRIC:…`) and combinations
 * of flags that contradict each other.
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
import { UsageError } from '../core/errors.js';
import { DURATION_EXAMPLES, durationMs, formatDuration, isDuration } from './duration.js';
import type { Document } from './merge.js';
import type { LoadConfig, Scenario } from './schema.js';
import { validateScenario } from './validate.js';

/** What `llmbench run` flags can change. Values may be the strings commander produces; the schema checks them. */
export interface ScenarioOverrides {
  /** `--name`: the run's scenario name. */
  readonly name?: string;
  readonly engine?: string;
  readonly url?: string;
  readonly model?: string;
  readonly apiKeyEnv?: string;
  /** Endpoint family: native | completions | chat. */
  readonly api?: string;
  /** Users (closed loop). */
  readonly concurrency?: number | string;
  /** Requests/s (open loop); `true` (a bare `--rate`) on a sweep makes its levels requests/s. */
  readonly rate?: number | string | true;
  readonly arrival?: string;
  readonly burstiness?: number | string;
  readonly maxInFlight?: number | string;
  /** Users: "30s:10,10s:100,60s:100". */
  readonly stages?: string;
  /** Requests/s: "30s:5,60s:50". */
  readonly rateStages?: string;
  readonly duration?: string;
  readonly requests?: number | string;
  /** A sweep's per-level stop conditions (with both: whichever comes first). */
  readonly levelDuration?: string;
  readonly levelRequests?: number | string;
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
  /** `--segment I/N`: this machine runs segment I of N of the schedule (DESIGN §16). */
  readonly segment?: string;
}

const FLAG_NAMES: Record<keyof ScenarioOverrides, string> = {
  name: '--name', engine: '--engine', url: '--url', model: '--model', apiKeyEnv: '--api-key-env', api: '--api',
  concurrency: '--concurrency', rate: '--rate', arrival: '--arrival', burstiness: '--burstiness', maxInFlight: '--max-in-flight',
  stages: '--stages', rateStages: '--rate-stages', duration: '--duration', requests: '--requests', warmup: '--warmup',
  levelDuration: '--level-duration', levelRequests: '--level-requests',
  thinkTime: '--think-time', seed: '--seed', promptTokens: '--prompt-tokens', maxTokens: '--max-tokens',
  stream: '--no-stream', dataset: '--dataset', thresholds: '--threshold', segment: '--segment',
};

/** Flags that change what is sent or how (a run given any of them is not its preset's workload any more). */
export const WORKLOAD_FLAGS = ['concurrency', 'rate', 'arrival', 'burstiness', 'maxInFlight', 'stages', 'rateStages', 'duration',
  'requests', 'levelDuration', 'levelRequests', 'thinkTime', 'promptTokens', 'maxTokens', 'stream', 'dataset'] as const satisfies ReadonlyArray<keyof ScenarioOverrides>;

/** Which flag set which document path, for messages. */
type Labels = Map<string, string>;

export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const syntax = parseFlagSyntax(overrides);
  const labels: Labels = new Map();
  const set = (into: Document, key: string, path: string, flag: keyof ScenarioOverrides, value: unknown) => {
    into[key] = value;
    labels.set(path, FLAG_NAMES[flag]);
  };
  const next = structuredClone(scenario) as unknown as Document;
  if (overrides.name !== undefined) set(next, 'name', 'name', 'name', overrides.name);
  if (overrides.segment !== undefined) set(next, 'segment', 'segment', 'segment', overrides.segment);

  const target: Document = { ...(scenario.target ?? {}) };
  for (const [flag, key] of [['engine', 'engine'], ['url', 'url'], ['model', 'model'], ['apiKeyEnv', 'api_key_env'], ['api', 'api']] as const) {
    if (overrides[flag] !== undefined) set(target, key, `target.${key}`, flag, overrides[flag]);
  }
  if (Object.keys(target).length > 0) next['target'] = target;

  const workload: Document = { ...scenario.workload };
  for (const [flag, key] of [['seed', 'seed'], ['promptTokens', 'prompt_tokens'], ['maxTokens', 'max_tokens'], ['stream', 'stream'], ['dataset', 'dataset']] as const) {
    if (overrides[flag] !== undefined) set(workload, key, `workload.${key}`, flag, coerce(overrides[flag]));
  }
  next['workload'] = workload;

  next['load'] = overrideLoad(scenario.load, overrides, syntax, labels);

  if (syntax.warmup === null) delete next['warmup'];
  else if (syntax.warmup !== undefined) {
    next['warmup'] = syntax.warmup;
    labels.set('warmup', FLAG_NAMES.warmup);
  }

  if (syntax.thresholds.length > 0) {
    const thresholds: Document = { ...(scenario.thresholds ?? {}) };
    for (const metric of new Set(syntax.thresholds.map((threshold) => threshold.metric))) {
      thresholds[metric] = syntax.thresholds.filter((threshold) => threshold.metric === metric).map((threshold) => threshold.expression);
      labels.set(`thresholds.${metric}`, FLAG_NAMES.thresholds);
    }
    next['thresholds'] = thresholds;
  }

  return validateScenario(next, `scenario ${JSON.stringify(scenario.name)} with command-line flags`, (path) => labelOf(labels, path));
}

// ---- load ------------------------------------------------------------------------------------------------

function overrideLoad(load: LoadConfig, overrides: ScenarioOverrides, syntax: FlagSyntax, labels: Labels): Document {
  const stop = stopOf(load);
  const label = (key: string, flag: keyof ScenarioOverrides) => labels.set(`load.${key}`, FLAG_NAMES[flag]);
  const concurrency = coerce(overrides.concurrency);
  const rateMode = overrides.rate === true;
  const rate = rateMode ? undefined : coerce(overrides.rate as number | string | undefined);
  if (rateMode && load.executor !== 'sweep') {
    throw new UsageError('--rate needs a value (requests/s), e.g. --rate 20', { hint: 'a bare --rate only switches a sweep to requests/s levels' });
  }
  if (rate !== undefined && load.executor === 'sweep' && !syntax.rateStages) {
    throw new UsageError(`--rate ${String(overrides.rate)} would replace the sweep with one constant rate`, {
      hint: 'give --rate without a value to sweep requests/s over the levels, or run another scenario for a single rate',
    });
  }
  let next: Document;
  if (syntax.stages) {
    const start = concurrency ?? (load.executor === 'ramping-concurrency' ? load.start_target : 0);
    next = { executor: 'ramping-concurrency', start_target: start, stages: syntax.stages, requests: stop.requests, ...closedSettingsOf(load) };
    label('stages', 'stages');
    if (concurrency !== undefined) label('start_target', 'concurrency');
  } else if (syntax.rateStages) {
    const start = rate ?? (load.executor === 'ramping-rate' ? load.start_target : 0);
    next = { executor: 'ramping-rate', start_target: start, stages: syntax.rateStages, requests: stop.requests, ...openSettingsOf(load) };
    label('stages', 'rateStages');
    if (rate !== undefined) label('start_target', 'rate');
  } else if (concurrency !== undefined) {
    next = { executor: 'constant-concurrency', users: concurrency, ...stop, ...closedSettingsOf(load) };
    label('users', 'concurrency');
  } else if (rate !== undefined) {
    next = { executor: 'constant-rate', rate, ...stop, ...openSettingsOf(load) };
    label('rate', 'rate');
  } else {
    next = { ...load };
    if (rateMode && next['mode'] !== 'rate') {
      next['mode'] = 'rate';
      delete next['think_time'];
    }
  }

  applyStopFlags(next, overrides, labels);
  applyLevelFlags(next, overrides, labels);

  const closed = next['executor'] === 'constant-concurrency' || next['executor'] === 'ramping-concurrency'
    || (next['executor'] === 'sweep' && next['mode'] === 'concurrency');
  const loadName = next['executor'] === 'sweep' ? `sweep (mode: ${String(next['mode'])})` : String(next['executor']);
  if (overrides.thinkTime !== undefined) {
    if (!closed) throw new UsageError(`--think-time applies to closed-loop loads (users); this load is ${loadName}, an open loop`);
    next['think_time'] = overrides.thinkTime;
    label('think_time', 'thinkTime');
  }
  const openFlags = (['arrival', 'burstiness', 'maxInFlight'] as const).filter((key) => overrides[key] !== undefined);
  if (openFlags.length > 0) {
    if (closed) {
      throw new UsageError(
        `${openFlags.map((flag) => FLAG_NAMES[flag]).join(', ')} ${openFlags.length === 1 ? 'applies' : 'apply'} to open-loop loads; this load is ${loadName}, a closed loop`,
        { hint: 'add --rate RPS or --rate-stages, or use a rate scenario' },
      );
    }
    if (overrides.maxInFlight !== undefined) {
      next['max_in_flight'] = coerce(overrides.maxInFlight);
      label('max_in_flight', 'maxInFlight');
    }
    if (overrides.burstiness !== undefined) {
      if (overrides.arrival !== undefined && overrides.arrival !== 'gamma') {
        throw new UsageError(`--burstiness applies only to --arrival gamma, not ${overrides.arrival}`);
      }
      next['arrival'] = 'gamma';
      next['burstiness'] = coerce(overrides.burstiness);
      label('burstiness', 'burstiness');
    } else if (overrides.arrival !== undefined) {
      next['arrival'] = overrides.arrival;
      label('arrival', 'arrival');
      if (overrides.arrival !== 'gamma') delete next['burstiness'];
    }
  }
  return stripUndefined(next);
}

/** `--duration`/`--requests` replace the stop condition as a whole (see the file comment). */
function applyStopFlags(next: Document, overrides: ScenarioOverrides, labels: Labels): void {
  if (overrides.duration === undefined && overrides.requests === undefined) return;
  const executor = next['executor'];
  const requests = coerce(overrides.requests);
  if (executor === 'ramping-concurrency' || executor === 'ramping-rate') {
    if (overrides.duration !== undefined) {
      throw new UsageError(`--duration does not apply to ${executor}: its stages set how long it runs`, {
        hint: 'change the stages (--stages / --rate-stages), or cap the run with --requests',
      });
    }
    next['requests'] = requests;
    labels.set('load.requests', FLAG_NAMES.requests);
    return;
  }
  const [durationKey, requestsKey] = executor === 'sweep' ? ['level_duration', 'level_requests'] : ['duration', 'requests'];
  next[durationKey] = overrides.duration;
  next[requestsKey] = requests;
  if (overrides.duration !== undefined) labels.set(`load.${durationKey}`, FLAG_NAMES.duration);
  if (requests !== undefined) labels.set(`load.${requestsKey}`, FLAG_NAMES.requests);
}

/** `--level-duration` / `--level-requests`: a sweep's per-level stop condition, replaced as a whole like --duration. */
function applyLevelFlags(next: Document, overrides: ScenarioOverrides, labels: Labels): void {
  if (overrides.levelDuration === undefined && overrides.levelRequests === undefined) return;
  if (next['executor'] !== 'sweep') {
    throw new UsageError(`--level-duration and --level-requests apply to a sweep; this load is ${String(next['executor'])}`, { hint: 'use --duration / --requests' });
  }
  next['level_duration'] = overrides.levelDuration;
  next['level_requests'] = coerce(overrides.levelRequests);
  if (overrides.levelDuration !== undefined) labels.set('load.level_duration', FLAG_NAMES.levelDuration);
  if (overrides.levelRequests !== undefined) labels.set('load.level_requests', FLAG_NAMES.levelRequests);
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

// ---- the flags' own syntax ---------------------------------------------------------------------------------

interface FlagSyntax {
  stages?: Document[];
  rateStages?: Document[];
  /** null: --warmup 0 (none). */
  warmup?: { requests: number | string } | { duration: string } | null;
  thresholds: Array<{ metric: string; expression: string }>;
}

const STAGES_USAGE = 'DURATION:TARGET pairs separated by commas, e.g. "30s:10,10s:100,60s:100"';

/** What only flags have: their syntax, and combinations that contradict each other (all problems at once). */
function parseFlagSyntax(overrides: ScenarioOverrides): FlagSyntax {
  const problems: string[] = [];
  const syntax: FlagSyntax = { thresholds: [] };
  if (overrides.stages !== undefined) syntax.stages = stagePairs(overrides.stages, '--stages', problems);
  if (overrides.rateStages !== undefined) syntax.rateStages = stagePairs(overrides.rateStages, '--rate-stages', problems);
  if (overrides.warmup !== undefined) {
    const text = String(overrides.warmup).trim();
    if (/^\d+$/.test(text)) syntax.warmup = Number(text) === 0 ? null : { requests: Number(text) };
    else if (isDuration(text)) syntax.warmup = durationMs(text) === 0 ? null : { duration: text };
    else problems.push(`--warmup: must be a request count (e.g. 5), a duration (${DURATION_EXAMPLES}) or 0 for none, got ${JSON.stringify(overrides.warmup)}`);
  }
  for (const text of overrides.thresholds ?? []) {
    const colon = text.indexOf(':');
    if (colon <= 0) problems.push(`--threshold ${JSON.stringify(text)}: expected METRIC:EXPRESSION, e.g. "ttft_ms:p95<2000" or "error_rate:<0.01"`);
    else syntax.thresholds.push({ metric: text.slice(0, colon).trim(), expression: text.slice(colon + 1).trim() });
  }
  const conflicts: Array<[keyof ScenarioOverrides, keyof ScenarioOverrides, string]> = [
    ['concurrency', 'rate', 'one sets users (closed loop), the other requests/s (open loop)'],
    ['stages', 'rateStages', 'give the stages of one load: users or requests/s'],
    ['stages', 'rate', '--stages ramps users; ramp requests/s with --rate-stages'],
    ['rateStages', 'concurrency', '--rate-stages ramps requests/s; ramp users with --stages'],
  ];
  for (const [a, b, why] of conflicts) {
    if (overrides[a] !== undefined && overrides[b] !== undefined) problems.push(`${FLAG_NAMES[a]} and ${FLAG_NAMES[b]} cannot be combined: ${why}`);
  }
  if (problems.length > 0) {
    throw new UsageError(problems.length === 1 ? problems[0]! : `invalid flags:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
  return syntax;
}

/** "30s:10,10s:100" → [{duration: "30s", target: 10}, …]; the values themselves are the schema's to check. */
function stagePairs(text: string, flag: string, problems: string[]): Document[] {
  if (text.trim() === '') {
    problems.push(`${flag}: empty; expected ${STAGES_USAGE}`);
    return [];
  }
  return text.split(',').map((item, i) => {
    const parts = item.trim().split(':');
    if (parts.length !== 2) problems.push(`${flag} ${JSON.stringify(text)}: stage ${i + 1} (${JSON.stringify(item.trim())}) is not DURATION:TARGET; expected ${STAGES_USAGE}`);
    return { duration: parts[0]?.trim() ?? '', target: coerce(parts[1]?.trim() ?? '') };
  });
}

/** A number where the text is one (commander gives strings), else the value as given, for the schema to judge. */
function coerce<T>(value: T): T | number {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(text) ? Number(text) : value;
}

/** "--concurrency (load.users)" for a path a flag set (or lies under one); undefined for the file's own keys. */
function labelOf(labels: Labels, path: string): string | undefined {
  for (let prefix = path; prefix !== ''; prefix = prefix.replace(/(\.[^.[]+|\[\d+\])$/, '')) {
    const flag = labels.get(prefix);
    if (flag) return `${flag} (${path})`;
    if (!/(\.[^.[]+|\[\d+\])$/.test(prefix)) break;
  }
  return undefined;
}
