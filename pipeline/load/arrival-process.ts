/**
 * Arrival processes in "operational time": event times of a process with mean rate 1 (one event per unit).
 * A rate profile then maps unit time to wall time (rate-profile.ts), so one generator serves constant and
 * ramping rates alike (time-rescaling theorem: a unit-rate process pushed through Λ⁻¹ has intensity r(t)).
 *
 * - `constant`: evenly spaced, 0, 1, 2, … (the first request opens the phase).
 * - `poisson`: exponential gaps (CV 1); the first event after one gap, as a Poisson process has no event at 0.
 * - `gamma`: gamma gaps with shape = burstiness and scale = 1/burstiness (mean 1, CV = 1/√burstiness), as in
 *   vLLM `bench serve`: burstiness 1 is Poisson, < 1 burstier, > 1 smoother (→ constant as it grows).
 */
import { exponential, gammaVariate, mulberry32 } from './random.js';

export const ARRIVAL_PROCESSES = ['constant', 'poisson', 'gamma'] as const;
export type ArrivalProcess = (typeof ARRIVAL_PROCESSES)[number];

export interface ArrivalProcessConfig {
  readonly process: ArrivalProcess;
  /** Gamma shape; only read for `gamma`. */
  readonly burstiness: number;
  readonly seed: number;
}

/** Ascending unit-rate event times, without end. */
export function* unitArrivals(config: ArrivalProcessConfig): Generator<number, never> {
  if (config.process === 'constant') {
    for (let k = 0; ; k++) yield k;
  }
  const random = mulberry32(config.seed);
  if (config.process === 'poisson') {
    for (let s = exponential(random); ; s += exponential(random)) yield s;
  }
  const shape = config.burstiness;
  if (!(shape > 0)) throw new RangeError(`burstiness must be > 0, got ${shape}`);
  const gap = () => gammaVariate(random, shape) / shape;
  for (let s = gap(); ; s += gap()) yield s;
}
