/**
 * Per request, the stamps the client takes (DESIGN §4), read off the wire instead: request written, first
 * and last token, from kernel timestamps of the segments. The response bodies go through the same engine
 * adapter the client uses, so "first token" means the same thing on both sides (role-only chunks skipped,
 * the engine's token counters honoured).
 */
import { StringDecoder } from 'node:string_decoder';
import type { ApiKind, EngineAdapter, GenerationRequest } from '../../pipeline/core/engine.js';
import type { WireExchange } from './http-exchanges.js';

export interface WireTruth {
  readonly requestId: string;
  readonly sentMs: number;
  readonly firstTokenMs: number | undefined;
  readonly lastTokenMs: number | undefined;
  readonly outputTokens: number;
  /** The engine's end-of-stream marker crossed the wire. */
  readonly ended: boolean;
}

/** Streamed generation requests (those with an x-request-id) of `exchanges`, read with `adapter`. */
export function wireTruth(exchanges: readonly WireExchange[], adapter: EngineAdapter): WireTruth[] {
  const apiOfPath = apiByPath(adapter);
  const truths: WireTruth[] = [];
  for (const exchange of exchanges) {
    const api = apiOfPath.get(exchange.path.split('?')[0]!);
    if (!exchange.requestId || !api || exchange.status !== 200) continue;
    const parser = adapter.createStreamParser(requestFor(exchange.requestId, api));
    const decoder = new StringDecoder('utf8');
    let firstTokenMs: number | undefined;
    let lastTokenMs: number | undefined;
    let outputTokens = 0;
    let ended = false;
    const take = (tsMs: number, events: ReturnType<typeof parser.push>) => {
      for (const event of events) {
        if (event.type === 'end') ended = true;
        if (event.type !== 'content' || event.tokens <= 0) continue;
        firstTokenMs ??= tsMs;
        lastTokenMs = tsMs;
        outputTokens += event.tokens;
      }
    };
    for (const piece of exchange.body) take(piece.tsMs, parser.push(decoder.write(piece.bytes)));
    const lastPieceMs = exchange.body.at(-1)?.tsMs ?? exchange.requestWrittenMs;
    take(lastPieceMs, parser.push(decoder.end()).concat(parser.finish()));
    truths.push({ requestId: exchange.requestId, sentMs: exchange.requestWrittenMs, firstTokenMs, lastTokenMs, outputTokens, ended });
  }
  return truths;
}

/** The adapter's own request paths, per API it supports: the wire says which API a request used. */
function apiByPath(adapter: EngineAdapter): Map<string, ApiKind> {
  const paths = new Map<string, ApiKind>();
  for (const api of adapter.supportedApis) {
    const { path } = adapter.buildRequest(requestFor('probe', api));
    paths.set(path.split('?')[0]!, api);
  }
  return paths;
}

function requestFor(requestId: string, api: ApiKind): GenerationRequest {
  return { requestId, model: 'wire', prompt: '', promptTokens: 1, maxTokens: 1, stream: true, api };
}
