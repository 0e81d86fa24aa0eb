/**
 * The engine before any load: is it there and does it serve the model (preflight), how far are synthetic prompts
 * from its token count (prompt-calibration.ts), and, for an agent of a segmented run meeting --start-at, how far
 * its clock is from the engine's (clock-offset.ts). Any failure here is a run that failed before its load.
 */
import type { Clock } from '../core/clock.js';
import type { EngineAdapter } from '../core/engine.js';
import type { ExecutionPlan, WorkloadConfig } from '../core/plan.js';
import type { ClockCheck } from '../core/run-result.js';
import { clockCheckFromDates, clockCheckFromFlag, probeEngineDate } from './clock-offset.js';
import { calibratePromptWords, type PromptCalibration } from './prompt-calibration.js';
import { preflight, preflightHttp, type PreflightResult } from './preflight.js';

export interface EngineSetup {
  readonly preflight: PreflightResult;
  readonly calibration: PromptCalibration | undefined;
  /** The plan's workload, with the calibrated prompt length where there is one. */
  readonly workload: WorkloadConfig;
  readonly clockCheck: ClockCheck | undefined;
}

export interface EngineSetupOptions {
  readonly apiKey: string | undefined;
  /** A dataset's prompts are as they are: no calibration. */
  readonly usesDataset: boolean;
  readonly runId: string;
  readonly startAtMs: number | undefined;
  readonly clockOffsetMs: number | undefined;
  readonly lagBudgetMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
  readonly notice: (line: string) => void;
}

export async function setUpEngine(plan: ExecutionPlan, adapter: EngineAdapter, options: EngineSetupOptions): Promise<EngineSetup> {
  const { target, workload } = plan;
  const found = await preflight(adapter, target.url, target.model, options.apiKey);
  const http = preflightHttp(target.url, options.apiKey);
  const calibration = options.usesDataset
    ? undefined
    : await calibratePromptWords(http, adapter, target.model, workload.promptTokens, `[${options.runId}-main-w0-0]`, workload.seed);
  if (calibration?.prompt_words != null && calibration.prompt_words !== workload.promptTokens) {
    options.notice(`prompts: ${calibration.prompt_words} words make ${calibration.server_tokens} tokens by the server's tokenizer (${target.engine} ${calibration.endpoint}); ${workload.promptTokens} were asked for`);
  }
  let clockCheck: ClockCheck | undefined;
  if (options.startAtMs !== undefined) {
    // Agents meet at --start-at on their own clocks: say whether this one is off by more than the lag budget.
    clockCheck = options.clockOffsetMs !== undefined
      ? clockCheckFromFlag(options.clockOffsetMs, options.lagBudgetMs)
      : clockCheckFromDates(await probeEngineDate(http, adapter.healthPath ?? '/', options.clock, options.signal), options.lagBudgetMs);
    if (clockCheck.verdict !== 'within') options.notice(`clock: ${clockCheck.detail}`);
  }
  return {
    preflight: found,
    calibration,
    workload: calibration?.prompt_words != null ? { ...workload, promptWords: calibration.prompt_words } : workload,
    clockCheck,
  };
}
