/**
 * What the server actually did for each generation request, stamped at the moment the bytes were handed to
 * the socket: the reference a client's measurements are compared with. Keys are snake_case because this is
 * a public JSON format (GET /__sim/requests).
 */
import type { FaultKind } from './faults.js';

export interface GroundTruthRecord {
  /** The request's x-request-id, or the id the simulator generated (also sent back in x-request-id). */
  request_id: string;
  engine: string;
  /** The endpoint path, e.g. "/v1/completions". */
  path: string;
  model: string | null;
  stream: boolean;
  /** Epoch ms (performance.timeOrigin + performance.now()) when the request body had been read. */
  received_ms: number;
  /** When the first token's bytes were written (right after res.write); null when none was. */
  first_token_ms: number | null;
  last_token_ms: number | null;
  /** When the response ended (res.end, or the socket was destroyed). */
  done_ms: number | null;
  prompt_tokens: number;
  /** Tokens actually written to the client. */
  output_tokens: number;
  /** Content-carrying writes (role chunks, usage chunks and terminators are not counted). */
  chunks: number;
  /** HTTP status sent (200 for streams, even when a fault broke them later). */
  status: number;
  finish_reason: string | null;
  /** Faults injected into this request. */
  faults: FaultKind[];
  /** The client closed the connection before the response ended. */
  client_closed: boolean;
}

/** A fresh record for a generation request that was just read; the rest is filled in as it is answered. */
export function newGroundTruthRecord(requestId: string, engine: string, path: string, receivedMs: number): GroundTruthRecord {
  return {
    request_id: requestId,
    engine,
    path,
    model: null,
    stream: false,
    received_ms: receivedMs,
    first_token_ms: null,
    last_token_ms: null,
    done_ms: null,
    prompt_tokens: 0,
    output_tokens: 0,
    chunks: 0,
    status: 0,
    finish_reason: null,
    faults: [],
    client_closed: false,
  };
}

/** Completed records in completion order, bounded: the oldest are dropped first and counted. */
export class GroundTruthStore {
  readonly #max: number;
  #records: GroundTruthRecord[] = [];
  #dropped = 0;

  constructor(maxRecords: number) {
    this.#max = maxRecords;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Records held now (at most the configured maximum). */
  get size(): number {
    return Math.min(this.#records.length, this.#max);
  }

  add(record: GroundTruthRecord): void {
    this.#records.push(record);
    // Trim in batches so a full store does not shift the whole array on every add.
    if (this.#records.length > this.#max + Math.max(1, Math.floor(this.#max / 10))) {
      const excess = this.#records.length - this.#max;
      this.#records.splice(0, excess);
      this.#dropped += excess;
    }
  }

  /** Records completed after `sinceMs` (done_ms > sinceMs), or all. Copies, so callers may keep them. */
  list(sinceMs?: number): GroundTruthRecord[] {
    const start = Math.max(0, this.#records.length - this.#max);
    const out: GroundTruthRecord[] = [];
    for (let i = start; i < this.#records.length; i++) {
      const record = this.#records[i]!;
      if (sinceMs !== undefined && !((record.done_ms ?? Number.POSITIVE_INFINITY) > sinceMs)) continue;
      out.push({ ...record, faults: [...record.faults] });
    }
    return out;
  }

  clear(): void {
    this.#records = [];
  }
}
