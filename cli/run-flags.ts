/** The option values of `llmbench run` (and `schedule`) as commander hands them over: strings, unchecked. */
import type { InfluxFlags } from './influx-options.js';

export interface RunFlags extends InfluxFlags {
  name?: string;
  engine?: string;
  url?: string;
  model?: string;
  api?: string;
  concurrency?: string;
  /** A bare --rate (on a sweep) is true. */
  rate?: string | true;
  arrival?: string;
  burstiness?: string;
  maxInFlight?: string;
  stages?: string;
  rateStages?: string;
  duration?: string;
  requests?: string;
  levelDuration?: string;
  levelRequests?: string;
  repeats?: string;
  slo: string[];
  stopOnSaturation?: boolean;
  warmup?: string;
  thinkTime?: string;
  seed?: string;
  promptTokens?: string;
  maxTokens?: string;
  stream: boolean;
  compareStream?: boolean;
  dataset?: string;
  apiKeyEnv?: string;
  threshold: string[];
  out?: string;
  workers?: string;
  userSendRate?: string;
  gpu: string;
  monitorInterval: string;
  monitor: boolean;
  serverMetrics: string;
  enginePid?: string;
  engineProcess?: string;
  engineContainer?: string;
  coldStart?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** --segment I/N (DESIGN §16). */
  segment?: string;
  runId?: string;
  startAt?: string;
  clockOffsetMs?: string;
  /** Set by the command: whether --no-stream was given (commander defaults `stream` to true otherwise). */
  streamGiven?: boolean;
}
