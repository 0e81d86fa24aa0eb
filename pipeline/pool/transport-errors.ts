/** Maps undici/Node transport errors (matched by `code`, never by message text) to DESIGN §12 error kinds. */
import type { ErrorKind } from '../core/record.js';

const KIND_BY_CODE: Record<string, ErrorKind> = {
  UND_ERR_CONNECT_TIMEOUT: 'timeout_connect',
  ETIMEDOUT: 'timeout_connect',
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_CLOSED: 'connection_reset',
  UND_ERR_DESTROYED: 'connection_reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout_first_token',
  UND_ERR_BODY_TIMEOUT: 'timeout_idle',
  UND_ERR_ABORTED: 'cancelled',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol',
  HPE_INVALID_CHUNK_SIZE: 'protocol',
  HPE_INVALID_CONSTANT: 'protocol',
};

export function errorKindOfTransport(error: Error & { code?: string; cause?: unknown }): { kind: ErrorKind; message: string } {
  const code = error.code ?? (error.cause as { code?: string } | undefined)?.code;
  const kind: ErrorKind = (code ? KIND_BY_CODE[code] : undefined) ?? (error.name === 'AbortError' ? 'cancelled' : 'connection_reset');
  return { kind, message: code ? `${code}: ${error.message}` : error.message };
}
