/**
 * A server's ground truth (GET /__sim/requests, simulator/ground-truth.ts) next to the client's records: the
 * benches that judge the client by it read it, and split the distance between the two, the same way here.
 */
import { request } from 'undici';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { GroundTruthRecord } from '../../simulator/ground-truth.js';

/** The fields the benches read; a server other than the simulator (bench/intake's reference) serves these. */
export type TruthRecord = Pick<GroundTruthRecord, 'request_id' | 'received_ms' | 'first_token_ms' | 'last_token_ms' | 'output_tokens'>;

/** The server's records by request id. */
export async function fetchGroundTruth(baseUrl: string): Promise<Map<string, TruthRecord>> {
  const list = (await (await request(`${baseUrl}/__sim/requests`)).body.json()) as TruthRecord[];
  return new Map(list.map((truth) => [truth.request_id, truth]));
}

/**
 * Per request, ms, on the epoch clocks of two processes on one host: the server read the request this long
 * after the client wrote it (its socket queue, outside the server's TTFT and inside the client's), and the
 * client read the first token this long after the server wrote it.
 */
export function deliveryDelays(record: RequestRecord, truth: TruthRecord): { requestMs?: number; firstTokenMs?: number } {
  return {
    ...(record.t_send !== undefined ? { requestMs: truth.received_ms - record.t_send } : {}),
    ...(record.t_first_token !== undefined && truth.first_token_ms !== null ? { firstTokenMs: record.t_first_token - truth.first_token_ms } : {}),
  };
}
