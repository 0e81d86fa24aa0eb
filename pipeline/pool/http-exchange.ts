/**
 * One HTTP exchange on undici's dispatcher with the timing stamps DESIGN §4 needs, taken in the thread that
 * owns the socket: request written (t_send, from undici's onRequestSent), headers, and every body read.
 * Uses undici's handler interface directly (no stream wrappers), so a body chunk is timestamped the moment
 * the socket read is parsed, with nothing buffering it in between.
 */
import type { Dispatcher } from 'undici';
import type { HttpRequestSpec } from '../core/engine.js';
import type { Cancellation } from './request-cancel.js';

export interface ExchangeObserver {
  onSent(atMs: number): void;
  onHeaders(atMs: number, status: number, headers: Record<string, string>): void;
  /** One socket read of the body, at its arrival time. */
  onBody(atMs: number, chunk: Buffer): void;
}

/** A request as sent: the body may be bytes already (execute-request.ts says why). */
export type ExchangeSpec = Omit<HttpRequestSpec, 'body'> & { readonly body?: string | Buffer };

export interface ExchangeOutcome {
  readonly endMs: number;
  readonly error?: Error & { code?: string };
}

/** Runs the exchange; never rejects: transport failures come back as `error`. */
export function exchange(
  dispatcher: Dispatcher,
  origin: string,
  spec: ExchangeSpec,
  observer: ExchangeObserver,
  nowMs: () => number,
  cancel: Cancellation,
): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let abortRequest: ((reason?: Error) => void) | undefined;
    let stopListening: (() => void) | undefined;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      stopListening?.();
      resolve(error ? { endMs: nowMs(), error } : { endMs: nowMs() });
    };
    const onAbort = () => {
      const reason = cancel.reason instanceof Error ? cancel.reason : new Error('request aborted');
      if (abortRequest) abortRequest(reason);
      else finish(reason);
    };
    if (cancel.aborted) return onAbort();
    stopListening = cancel.onAbort(onAbort);

    // The legacy handler shape is used on purpose: it is the one through which undici reports
    // onRequestSent (the wrapped v7 handler API drops it), and that is our t_send.
    const handler = {
      onConnect(abort: (reason?: Error) => void) {
        abortRequest = abort;
      },
      onRequestSent() {
        observer.onSent(nowMs());
      },
      onHeaders(statusCode: number, rawHeaders: Buffer[] | string[], _resume: () => void) {
        observer.onHeaders(nowMs(), statusCode, headersOf(rawHeaders));
        return true;
      },
      onData(chunk: Buffer) {
        observer.onBody(nowMs(), chunk);
        return true;
      },
      onComplete() {
        finish();
      },
      onError(error: Error) {
        finish(error);
      },
    };
    try {
      dispatcher.dispatch(
        {
          origin,
          method: spec.method,
          path: spec.path,
          headers: spec.headers as Record<string, string>,
          body: spec.body,
          ...(spec.closeConnection ? { reset: true } : {}),
        },
        handler as unknown as Dispatcher.DispatchHandler,
      );
    } catch (error) {
      finish(error as Error);
    }
  });
}

function headersOf(raw: Buffer[] | string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString().toLowerCase();
    const value = raw[i + 1]!.toString();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
