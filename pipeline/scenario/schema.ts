/**
 * The scenario file format (DESIGN §15), as zod schemas. snake_case keys because people write them;
 * durations stay human strings ("30s") so a resolved scenario prints back as the YAML it came from —
 * compile.ts turns them into milliseconds. Every object is strict: an unknown key is an error at its path.
 * `load` is a discriminated union on `executor`, so each executor lists exactly the keys it understands.
 * Cross-field rules (duration or requests, burstiness only with gamma…) are refinements that run alongside
 * the field checks, so one pass reports every problem.
 */
import { z } from 'zod';
import { ENGINE_KINDS } from '../core/engine.js';
import { parseSegment } from '../core/segment.js';
import { ARRIVAL_PROCESSES } from '../load/arrival-process.js';
import { DURATION_EXAMPLES, DURATION_PATTERN, durationMs, durationProblem, isDuration } from './duration.js';
import { checkThreshold, SCALAR_METRICS, THRESHOLD_METRICS, type ThresholdMetric } from './thresholds.js';

export const EXECUTORS = ['constant-concurrency', 'ramping-concurrency', 'constant-rate', 'ramping-rate', 'sweep'] as const;
export type Executor = (typeof EXECUTORS)[number];

export const API_KINDS = ['native', 'completions', 'chat'] as const;
export const MAX_USERS = 100_000;
export const MAX_RATE_RPS = 1_000_000;
export const DEFAULT_MAX_IN_FLIGHT = 1000;
export const DEFAULT_ARRIVAL = 'poisson';

// ---- fields ----------------------------------------------------------------------------------------------

const duration = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'is required' : `must be a duration with a unit (${DURATION_EXAMPLES}), got ${JSON.stringify(issue.input)}`,
  })
  .regex(DURATION_PATTERN, { error: (issue) => durationProblem(String(issue.input)) })
  .meta({ description: `A number and a unit: ${DURATION_EXAMPLES}` });
/** Leaves malformed strings to the pattern's message, so "ten seconds" gets one message, not two. */
const positiveDuration = duration.refine((text) => !isDuration(text) || durationMs(text) > 0, { error: 'must be longer than 0' });

const count = (description: string) => z.number().int().min(1).max(1e9).meta({ description });
const users = (description: string) => z.number().int().min(1).max(MAX_USERS).meta({ description });
const rate = (description: string) => z.number().positive().max(MAX_RATE_RPS).meta({ description });

const requests = count('Stop after this many requests were sent (with `duration`: whichever comes first)').optional();
const thinkTime = duration.meta({ description: 'Pause of each user between receiving an answer and sending again' }).default('0s');
const arrival = z.enum(ARRIVAL_PROCESSES).meta({
  description: 'Spacing of arrivals: constant (evenly spaced), poisson (exponential gaps) or gamma (see burstiness)',
});
const burstiness = z.number().positive().max(1000).meta({
  description: 'Gamma shape for arrival: gamma; 1 = Poisson, < 1 burstier, > 1 smoother (CV of gaps = 1/√burstiness)',
});
const maxInFlight = z.number().int().min(1).max(1_000_000).meta({
  description: 'Cap on requests in flight; an arrival that finds it full is recorded as dropped, never queued',
});

// ---- target and workload ---------------------------------------------------------------------------------

export const TargetSchema = z
  .strictObject({
    engine: z.enum(ENGINE_KINDS).optional(),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8000' }).optional(),
    model: z.string().min(1).optional(),
    api: z.enum(API_KINDS).optional().meta({ description: "Endpoint family; default: the engine's own" }),
    api_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of an environment variable, e.g. OPENAI_API_KEY' })
      .optional()
      .meta({ description: 'Environment variable holding the API key (the key itself never goes in a file)' }),
  })
  .meta({ description: 'The server under test; presets leave it out and take it from --engine/--url/--model' });

const TimeoutsSchema = z.strictObject({
  connect: positiveDuration.default('10s'),
  first_token: positiveDuration.default('300s').meta({ description: 'From sending to the first token (includes server queueing)' }),
  idle: positiveDuration.default('60s').meta({ description: 'Longest gap between two chunks of a stream' }),
});

export const WorkloadSchema = z.strictObject({
  prompt_tokens: z.number().int().min(1).max(10_000_000).default(256).meta({ description: 'Target prompt length of synthetic prompts' }),
  max_tokens: z.number().int().min(1).max(10_000_000).default(128).meta({ description: 'Output tokens per request (exact where the engine can force it)' }),
  stream: z.boolean().default(true),
  dataset: z.string().min(1).optional().meta({ description: 'JSONL file of prompts instead of synthetic ones (relative to the scenario file)' }),
  seed: z.number().int().min(0).max(0xffffffff).default(42).meta({ description: 'Seed of prompts and arrival schedules' }),
  timeouts: TimeoutsSchema.prefault({}),
});

// ---- load ------------------------------------------------------------------------------------------------

const StageSchema = (targetDescription: string, target: z.ZodNumber) =>
  z.strictObject({ duration: duration.meta({ description: 'Ramp length (0s = a step)' }), target: target.meta({ description: targetDescription }) });
const userStage = StageSchema('Users at the end of this stage', z.number().int().min(0).max(MAX_USERS));
const rateStage = StageSchema('Requests/s at the end of this stage', z.number().min(0).max(MAX_RATE_RPS));

const ConstantConcurrencySchema = z
  .strictObject({
    executor: z.literal('constant-concurrency'),
    users: users('Concurrent users, each with one request in flight at a time'),
    duration: positiveDuration.optional(),
    requests,
    think_time: thinkTime,
  })
  .superRefine((load, ctx) => needsStop(load, ctx));

const RampingConcurrencySchema = z
  .strictObject({
    executor: z.literal('ramping-concurrency'),
    start_target: z.number().int().min(0).max(MAX_USERS).default(0).meta({ description: 'Users at the start, before the first stage' }),
    stages: z.array(userStage).min(1).meta({ description: 'Linear ramps from the previous target (k6 stages)' }),
    requests,
    think_time: thinkTime,
  })
  .superRefine((load, ctx) => checkStages(load, ctx));

const ConstantRateSchema = z
  .strictObject({
    executor: z.literal('constant-rate'),
    rate: rate('Mean arrivals per second'),
    duration: positiveDuration.optional(),
    requests,
    arrival: arrival.default(DEFAULT_ARRIVAL),
    burstiness: burstiness.optional(),
    max_in_flight: maxInFlight.default(DEFAULT_MAX_IN_FLIGHT),
  })
  .superRefine((load, ctx) => {
    needsStop(load, ctx);
    checkBurstiness(load, ctx);
  });

const RampingRateSchema = z
  .strictObject({
    executor: z.literal('ramping-rate'),
    start_target: z.number().min(0).max(MAX_RATE_RPS).default(0).meta({ description: 'Requests/s at the start, before the first stage' }),
    stages: z.array(rateStage).min(1).meta({ description: 'Linear rate ramps from the previous target (k6 ramping-arrival-rate)' }),
    requests,
    arrival: arrival.default(DEFAULT_ARRIVAL),
    burstiness: burstiness.optional(),
    max_in_flight: maxInFlight.default(DEFAULT_MAX_IN_FLIGHT),
  })
  .superRefine((load, ctx) => {
    checkStages(load, ctx);
    checkBurstiness(load, ctx);
  });

const SweepSchema = z
  .strictObject({
    executor: z.literal('sweep'),
    mode: z.enum(['concurrency', 'rate']).default('concurrency').meta({ description: 'What the levels are: users or requests/s' }),
    levels: z.array(z.number().positive().max(MAX_RATE_RPS)).min(1).max(1000).meta({ description: 'One phase per level, in this order' }),
    level_duration: positiveDuration.optional().meta({ description: 'How long each level runs' }),
    level_requests: count('Requests per level (with level_duration: whichever comes first)').optional(),
    think_time: duration.optional().meta({ description: 'mode: concurrency only' }),
    arrival: arrival.optional().meta({ description: `mode: rate only (default ${DEFAULT_ARRIVAL})` }),
    burstiness: burstiness.optional(),
    max_in_flight: maxInFlight.optional().meta({ description: `mode: rate only (default ${DEFAULT_MAX_IN_FLIGHT})` }),
  })
  .superRefine((load, ctx) => {
    if (load.level_duration === undefined && load.level_requests === undefined) {
      ctx.addIssue({ code: 'custom', path: ['level_duration'], message: 'set level_duration, level_requests or both (how long each level runs)' });
    }
    const closedOnly = ['think_time'] as const;
    const openOnly = ['arrival', 'burstiness', 'max_in_flight'] as const;
    for (const key of load.mode === 'rate' ? closedOnly : openOnly) {
      if (load[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `applies to mode: ${load.mode === 'rate' ? 'concurrency' : 'rate'} only (mode is ${load.mode})` });
      }
    }
    if (load.mode === 'concurrency') {
      load.levels.forEach((level, i) => {
        if (!Number.isInteger(level) || level > MAX_USERS) {
          ctx.addIssue({ code: 'custom', path: ['levels', i], message: `concurrency levels must be whole numbers of users from 1 to ${MAX_USERS}, got ${level}` });
        }
      });
    } else {
      checkBurstiness({ arrival: load.arrival ?? DEFAULT_ARRIVAL, burstiness: load.burstiness }, ctx);
    }
  });

export const LoadSchema = z.discriminatedUnion('executor', [
  ConstantConcurrencySchema,
  RampingConcurrencySchema,
  ConstantRateSchema,
  RampingRateSchema,
  SweepSchema,
]);

function needsStop(load: { duration?: string | undefined; requests?: number | undefined }, ctx: z.RefinementCtx): void {
  if (load.duration === undefined && load.requests === undefined) {
    ctx.addIssue({ code: 'custom', path: ['duration'], message: 'set duration, requests or both (how long the load runs)' });
  }
}

function checkStages(load: { start_target: number; stages: ReadonlyArray<{ duration: string; target: number }> }, ctx: z.RefinementCtx): void {
  const valid = load.stages.filter((stage) => typeof stage.duration === 'string' && isDuration(stage.duration));
  if (valid.length < load.stages.length) return; // each bad duration already has its own message
  const totalMs = valid.reduce((sum, stage) => sum + durationMs(stage.duration), 0);
  if (load.stages.length > 0 && totalMs <= 0) {
    ctx.addIssue({ code: 'custom', path: ['stages'], message: 'the stages must last longer than 0 in total' });
  }
  if (load.stages.length > 0 && load.start_target <= 0 && load.stages.every((stage) => stage.target <= 0)) {
    ctx.addIssue({ code: 'custom', path: ['stages'], message: 'every target is 0: no request would be sent' });
  }
}

function checkBurstiness(load: { arrival: string; burstiness?: number | undefined }, ctx: z.RefinementCtx): void {
  if (load.burstiness !== undefined && load.arrival !== 'gamma') {
    ctx.addIssue({ code: 'custom', path: ['burstiness'], message: `applies only to arrival: gamma (arrival is ${load.arrival})` });
  }
}

// ---- warmup, abort, thresholds ---------------------------------------------------------------------------

export const WarmupSchema = z
  .strictObject({
    requests: count('Warmup requests (recorded, excluded from statistics)').optional(),
    duration: positiveDuration.optional().meta({ description: 'Warmup time (recorded, excluded from statistics)' }),
  })
  .superRefine((warmup, ctx) => {
    if ((warmup.requests === undefined) === (warmup.duration === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'set exactly one of requests or duration' });
    }
  })
  .meta({ description: "Runs first at the load's first non-zero level" });

export const AbortSchema = z.strictObject({
  max_errors: count('Abort the run when this many requests failed').optional(),
  max_error_rate: z.number().positive().max(1).optional().meta({ description: 'Abort when the share of failed requests exceeds this (0..1)' }),
  min_requests: count('Finished requests needed before max_error_rate applies').default(20),
});

const thresholdList = (metric: ThresholdMetric) =>
  z
    .array(
      z.string().superRefine((expression, ctx) => {
        const result = checkThreshold(metric, expression);
        if (typeof result === 'string') ctx.addIssue({ code: 'custom', message: result });
      }),
    )
    .min(1)
    .optional()
    .meta({
      description: (SCALAR_METRICS as readonly string[]).includes(metric)
        ? 'Conditions "operator number", e.g. "< 0.01" (operators < <= > >= ==)'
        : 'Conditions "statistic operator number", e.g. "p95 < 2000" (count mean stddev cv min p50 p90 p95 p99 p999 max)',
    });

const thresholdShape = Object.fromEntries(THRESHOLD_METRICS.map((metric) => [metric, thresholdList(metric)])) as {
  [M in ThresholdMetric]: ReturnType<typeof thresholdList>;
};

export const ThresholdsSchema = z
  .strictObject({
    ...thresholdShape,
    abort_on_fail: z.boolean().optional().meta({ description: 'Stop the run as soon as a threshold fails (default false)' }),
  })
  .meta({ description: 'SLOs per metric, e.g. ttft_ms: ["p95 < 2000"], error_rate: ["< 0.01"]; any failure → exit 99' });

// ---- the scenario ----------------------------------------------------------------------------------------

export const SCENARIO_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export const ScenarioSchema = z
  .strictObject({
    name: z
      .string()
      .regex(SCENARIO_NAME_PATTERN, { error: 'must use lower-case letters, digits and "-" (it becomes a tag and a file name)' }),
    description: z.string().optional(),
    extends: z.string().min(1).optional().meta({ description: 'A preset name or a file (relative to this one) to start from' }),
    target: TargetSchema.optional(),
    workload: WorkloadSchema.prefault({}),
    load: LoadSchema,
    warmup: WarmupSchema.optional(),
    abort: AbortSchema.optional(),
    thresholds: ThresholdsSchema.optional(),
    segment: z
      .string()
      .superRefine((text, ctx) => {
        const segment = parseSegment(text);
        if (typeof segment === 'string') ctx.addIssue({ code: 'custom', message: segment });
      })
      .optional()
      .meta({
        description: 'Run segment I of N of the schedule ("2/4", 1-based) on this machine: users and arrivals with index ≡ I−1 mod N; `llmbench merge` joins the N run directories into one run (README: Load beyond one machine)',
      }),
  })
  .meta({ title: 'llmbench scenario' });

/** A validated, resolved scenario (defaults filled, `extends` applied); durations are still strings. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type LoadConfig = Scenario['load'];
export type TargetInput = NonNullable<Scenario['target']>;
export type Thresholds = NonNullable<Scenario['thresholds']>;
