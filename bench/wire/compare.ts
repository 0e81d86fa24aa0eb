/**
 * The client's per-request stamps against the wire's, and (when the target is llmbench's simulator) the
 * simulator's own ground truth against the wire too. The wire is the reference both are judged by: a stamp
 * that differs from it was taken late by the process that took it.
 */
import type { RequestRecord } from '../../pipeline/core/record.js';
import { summarize, type MetricSummary } from '../../pipeline/core/stats.js';
import type { WireTruth } from './wire-truth.js';
import type { TruthRecord } from '../common/ground-truth.js';

/** What GET /__sim/requests says about one request (simulator/ground-truth.ts). */
export type SimTruth = Pick<TruthRecord, 'request_id' | 'received_ms' | 'first_token_ms'>;

export interface WireComparison {
  /** Requests found in all the sources compared (ok, not warmup, with a first token on the wire). */
  readonly matched: number;
  /** ok records of the run the capture has no complete stream for. */
  readonly unmatched: number;
  /** Output tokens: records whose count differs from what crossed the wire. */
  readonly tokenMismatches: number;
  readonly ttft: { readonly client: MetricSummary; readonly wire: MetricSummary; readonly simulator?: MetricSummary };
  /** Per request, ms: client TTFT − wire TTFT, and its two halves. */
  readonly clientError: { readonly ttft: MetricSummary; readonly send: MetricSummary; readonly firstToken: MetricSummary };
  /** Per request, ms: simulator received − wire request written (its socket queue), and its first-token stamp − wire. */
  readonly simulatorError?: { readonly intake: MetricSummary; readonly firstToken: MetricSummary };
}

export function compareWithWire(records: readonly RequestRecord[], wire: readonly WireTruth[], sim?: readonly SimTruth[]): WireComparison {
  const wireById = new Map(wire.map((truth) => [truth.requestId, truth]));
  const simById = sim ? new Map(sim.map((truth) => [truth.request_id, truth])) : undefined;
  const columns = {
    clientTtft: [] as number[], wireTtft: [] as number[], simTtft: [] as number[],
    ttftError: [] as number[], sendError: [] as number[], firstTokenError: [] as number[],
    simIntake: [] as number[], simFirstToken: [] as number[],
  };
  let unmatched = 0;
  let tokenMismatches = 0;
  for (const record of records) {
    if (record.warmup || record.status !== 'ok') continue;
    const truth = wireById.get(record.request_id);
    const simTruth = simById?.get(record.request_id);
    const { t_send: tSend, t_first_token: tFirstToken } = record;
    if (!truth || truth.firstTokenMs === undefined || tSend === undefined || tFirstToken === undefined || (simById && !simTruth?.first_token_ms)) {
      unmatched++;
      continue;
    }
    const wireTtft = truth.firstTokenMs - truth.sentMs;
    columns.clientTtft.push(tFirstToken - tSend);
    columns.wireTtft.push(wireTtft);
    columns.ttftError.push(tFirstToken - tSend - wireTtft);
    columns.sendError.push(tSend - truth.sentMs);
    columns.firstTokenError.push(tFirstToken - truth.firstTokenMs);
    if (record.output_tokens !== truth.outputTokens) tokenMismatches++;
    if (simTruth?.first_token_ms) {
      columns.simTtft.push(simTruth.first_token_ms - simTruth.received_ms);
      columns.simIntake.push(simTruth.received_ms - truth.sentMs);
      columns.simFirstToken.push(simTruth.first_token_ms - truth.firstTokenMs);
    }
  }
  const matched = columns.ttftError.length;
  if (matched === 0) throw new Error('no request of the run was found on the wire: was the capture on the port the run used?');
  const s = (values: number[]) => summarize(values)!;
  return {
    matched,
    unmatched,
    tokenMismatches,
    ttft: { client: s(columns.clientTtft), wire: s(columns.wireTtft), ...(simById ? { simulator: s(columns.simTtft) } : {}) },
    clientError: { ttft: s(columns.ttftError), send: s(columns.sendError), firstToken: s(columns.firstTokenError) },
    ...(simById ? { simulatorError: { intake: s(columns.simIntake), firstToken: s(columns.simFirstToken) } } : {}),
  };
}
