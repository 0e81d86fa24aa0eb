/**
 * HTTP/1.1 exchanges rebuilt from captured TCP segments: for each request on each connection, when its last
 * byte crossed the wire, and the response body de-chunked into pieces that keep the kernel time of the
 * segment they arrived in. Requests and responses pair in order on a connection (llmbench never pipelines).
 *
 * Only what timing needs is parsed: request line, `x-request-id`, `content-length`; status, and the body's
 * framing (chunked, content-length, or until the connection ends).
 */
import type { TcpSegment } from './pcap.js';

export interface BodyPiece {
  readonly tsMs: number;
  readonly bytes: Buffer;
}

export interface WireExchange {
  /** The client end of the connection, "address:port". */
  readonly connection: string;
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
  /** Kernel time of the segment that carried the request's last byte: the wire's `t_send`. */
  readonly requestWrittenMs: number;
  status: number | undefined;
  /** Kernel time of the segment that carried the response's status line. */
  headersMs: number | undefined;
  readonly body: BodyPiece[];
  /** The response's framing said it ended (false: cut off, or still streaming when the capture stopped). */
  complete: boolean;
}

export function httpExchanges(segments: readonly TcpSegment[], serverPort: number): WireExchange[] {
  const connections = new Map<string, Connection>();
  const all: WireExchange[] = [];
  for (const segment of segments) {
    const toServer = segment.dstPort === serverPort;
    if (!toServer && segment.srcPort !== serverPort) continue;
    const client = toServer ? `${segment.src}:${segment.srcPort}` : `${segment.dst}:${segment.dstPort}`;
    let connection = connections.get(client);
    if (!connection) {
      connection = new Connection(client, (exchange) => all.push(exchange));
      connections.set(client, connection);
    }
    if (toServer) connection.fromClient(segment);
    else connection.fromServer(segment);
  }
  return all;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** Drops bytes a retransmission repeats: TCP sequence numbers, modulo 2^32. */
class InOrder {
  #next: number | undefined;

  fresh(segment: TcpSegment): Buffer {
    const { seq, payload } = segment;
    if (this.#next === undefined) {
      this.#next = (seq + payload.length) >>> 0;
      return payload;
    }
    const behind = (this.#next - seq) | 0; // bytes of this segment already seen
    if (behind <= 0) {
      this.#next = (seq + payload.length) >>> 0;
      return payload;
    }
    if (behind >= payload.length) return payload.subarray(payload.length);
    this.#next = (seq + payload.length) >>> 0;
    return payload.subarray(behind);
  }
}

class Connection {
  readonly #pending: WireExchange[] = [];
  readonly #clientOrder = new InOrder();
  readonly #serverOrder = new InOrder();
  #requestBytes: Buffer = Buffer.alloc(0);
  #request: { method: string; path: string; requestId: string | undefined; bodyLeft: number } | undefined;
  #response: ResponseReader | undefined;

  constructor(
    readonly client: string,
    readonly emit: (exchange: WireExchange) => void,
  ) {}

  fromClient(segment: TcpSegment): void {
    let bytes = this.#clientOrder.fresh(segment);
    while (bytes.length > 0) {
      if (!this.#request) {
        this.#requestBytes = Buffer.concat([this.#requestBytes, bytes]);
        const end = this.#requestBytes.indexOf(HEAD_END);
        if (end === -1) return;
        const head = parseHead(this.#requestBytes.subarray(0, end).toString('latin1'));
        const [method = '', path = ''] = head.startLine.split(' ');
        this.#request = { method, path, requestId: head.headers.get('x-request-id'), bodyLeft: Number(head.headers.get('content-length') ?? 0) };
        bytes = this.#requestBytes.subarray(end + HEAD_END.length);
        this.#requestBytes = Buffer.alloc(0);
      }
      const take = Math.min(this.#request.bodyLeft, bytes.length);
      this.#request.bodyLeft -= take;
      bytes = bytes.subarray(take);
      if (this.#request.bodyLeft > 0) return;
      const { method, path, requestId } = this.#request;
      this.#request = undefined;
      const exchange: WireExchange = {
        connection: this.client,
        method,
        path,
        requestId,
        requestWrittenMs: segment.tsMs,
        status: undefined,
        headersMs: undefined,
        body: [],
        complete: false,
      };
      this.#pending.push(exchange);
      this.emit(exchange);
    }
  }

  fromServer(segment: TcpSegment): void {
    let bytes = this.#serverOrder.fresh(segment);
    while (bytes.length > 0) {
      const exchange = this.#pending[0];
      if (!exchange) return; // bytes before any request we saw (capture started mid-exchange)
      this.#response ??= new ResponseReader(exchange);
      bytes = this.#response.read(bytes, segment.tsMs);
      if (exchange.complete) {
        this.#pending.shift();
        this.#response = undefined;
      }
    }
  }
}

/** One response: head, then the body by its framing; returns the bytes that belong to the next response. */
class ResponseReader {
  #head: Buffer = Buffer.alloc(0);
  #framing: 'head' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'length' | 'until-close' = 'head';
  #left = 0;
  #line: Buffer = Buffer.alloc(0);

  constructor(readonly exchange: WireExchange) {}

  read(bytes: Buffer, tsMs: number): Buffer {
    const exchange = this.exchange;
    while (bytes.length > 0 && !exchange.complete) {
      switch (this.#framing) {
        case 'head': {
          if (this.#head.length === 0) exchange.headersMs = tsMs;
          this.#head = Buffer.concat([this.#head, bytes]);
          const end = this.#head.indexOf(HEAD_END);
          if (end === -1) return Buffer.alloc(0);
          const head = parseHead(this.#head.subarray(0, end).toString('latin1'));
          exchange.status = Number(head.startLine.split(' ')[1]);
          bytes = this.#head.subarray(end + HEAD_END.length);
          const length = head.headers.get('content-length');
          if (/chunked/i.test(head.headers.get('transfer-encoding') ?? '')) this.#framing = 'chunk-size';
          else if (length !== undefined) {
            this.#framing = 'length';
            this.#left = Number(length);
            if (this.#left === 0) exchange.complete = true;
          } else this.#framing = 'until-close';
          break;
        }
        case 'length':
        case 'chunk-data': {
          const take = Math.min(this.#left, bytes.length);
          if (take > 0) exchange.body.push({ tsMs, bytes: bytes.subarray(0, take) });
          this.#left -= take;
          bytes = bytes.subarray(take);
          if (this.#left === 0) {
            if (this.#framing === 'length') exchange.complete = true;
            else this.#framing = 'chunk-crlf';
          }
          break;
        }
        case 'until-close':
          exchange.body.push({ tsMs, bytes });
          return Buffer.alloc(0);
        case 'chunk-size':
        case 'chunk-crlf':
        case 'trailers': {
          const line = this.#takeLine(bytes);
          if (!line) return Buffer.alloc(0);
          bytes = line.rest;
          if (this.#framing === 'chunk-crlf') this.#framing = 'chunk-size';
          else if (this.#framing === 'trailers') {
            if (line.text === '') exchange.complete = true;
          } else {
            this.#left = Number.parseInt(line.text.split(';')[0]!, 16);
            this.#framing = this.#left > 0 ? 'chunk-data' : 'trailers';
          }
          break;
        }
      }
    }
    return bytes;
  }

  /** A CRLF-terminated line, possibly split over segments; undefined until its end has arrived. */
  #takeLine(bytes: Buffer): { text: string; rest: Buffer } | undefined {
    this.#line = this.#line.length > 0 ? Buffer.concat([this.#line, bytes]) : bytes;
    const end = this.#line.indexOf(CRLF);
    if (end === -1) return undefined;
    const text = this.#line.subarray(0, end).toString('latin1');
    const rest = this.#line.subarray(end + CRLF.length);
    this.#line = Buffer.alloc(0);
    return { text, rest };
  }
}

function parseHead(text: string): { startLine: string; headers: Map<string, string> } {
  const [startLine = '', ...lines] = text.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { startLine, headers };
}
