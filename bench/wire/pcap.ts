/**
 * Reads a classic pcap file (what `tcpdump -w` writes) into TCP segments with their kernel timestamps.
 * The wire is the one clock neither the client nor the server under test controls: a packet's timestamp is
 * taken by the kernel when it crossed the interface, however busy either event loop was.
 *
 * Handles both byte orders, microsecond and nanosecond files, and the link types tcpdump uses on Linux for
 * `-i lo` (Ethernet), `-i any` (cooked v1/v2) and raw IP. IPv4 and IPv6 (no extension headers); anything
 * else is skipped. A segment whose payload the capture cut short (snaplen) is marked `truncated`.
 */

export interface TcpSegment {
  /** Kernel timestamp, epoch milliseconds. */
  readonly tsMs: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly seq: number;
  readonly payload: Buffer;
  readonly truncated: boolean;
}

const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** Link-layer header length and where the EtherType-like protocol field is, per LINKTYPE_ value. */
const LINK_TYPES: Record<number, { readonly headerBytes: number; readonly protocolAt: number | undefined }> = {
  1: { headerBytes: 14, protocolAt: 12 }, // Ethernet (Linux loopback included)
  113: { headerBytes: 16, protocolAt: 14 }, // Linux cooked capture v1 (-i any)
  276: { headerBytes: 20, protocolAt: 0 }, // Linux cooked capture v2
  101: { headerBytes: 0, protocolAt: undefined }, // raw IP: version nibble says which
};

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IP_PROTOCOL_TCP = 6;

export class PcapFormatError extends Error {}

export function readPcap(file: Buffer): TcpSegment[] {
  if (file.length < GLOBAL_HEADER_BYTES) throw new PcapFormatError('not a pcap file: shorter than its 24-byte header');
  const magicLE = file.readUInt32LE(0);
  const magicBE = file.readUInt32BE(0);
  const littleEndian = magicLE === MAGIC_MICROS || magicLE === MAGIC_NANOS;
  if (!littleEndian && magicBE !== MAGIC_MICROS && magicBE !== MAGIC_NANOS) {
    throw new PcapFormatError(`not a classic pcap file (magic 0x${magicBE.toString(16)}); pcapng is not read: capture with tcpdump -w`);
  }
  const u32 = (at: number) => (littleEndian ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const fractionPerMs = (littleEndian ? magicLE : magicBE) === MAGIC_NANOS ? 1e6 : 1e3;
  const linkType = u32(20) & 0xffff;
  const link = LINK_TYPES[linkType];
  if (!link) throw new PcapFormatError(`link type ${linkType} is not supported (Ethernet, Linux cooked v1/v2 and raw IP are)`);

  const segments: TcpSegment[] = [];
  let at = GLOBAL_HEADER_BYTES;
  while (at + RECORD_HEADER_BYTES <= file.length) {
    const tsMs = u32(at) * 1000 + u32(at + 4) / fractionPerMs;
    const capturedBytes = u32(at + 8);
    const frameStart = at + RECORD_HEADER_BYTES;
    at = frameStart + capturedBytes;
    if (at > file.length) break; // the capture was cut off mid-record (tcpdump killed hard)
    const segment = tcpSegmentOf(file.subarray(frameStart, at), link, tsMs);
    if (segment) segments.push(segment);
  }
  return segments;
}

function tcpSegmentOf(frame: Buffer, link: { headerBytes: number; protocolAt: number | undefined }, tsMs: number): TcpSegment | undefined {
  if (frame.length < link.headerBytes + 20) return undefined;
  const ip = frame.subarray(link.headerBytes);
  const version = ip[0]! >> 4;
  const etherType = link.protocolAt === undefined ? undefined : frame.readUInt16BE(link.protocolAt);
  if (version === 4 && (etherType === undefined || etherType === ETHERTYPE_IPV4)) {
    const headerBytes = (ip[0]! & 0x0f) * 4;
    if (ip[9] !== IP_PROTOCOL_TCP) return undefined;
    const totalBytes = ip.readUInt16BE(2);
    return tcpOf(ip, headerBytes, totalBytes, ipv4(ip, 12), ipv4(ip, 16), tsMs);
  }
  if (version === 6 && (etherType === undefined || etherType === ETHERTYPE_IPV6) && ip.length >= 40) {
    if (ip[6] !== IP_PROTOCOL_TCP) return undefined;
    return tcpOf(ip, 40, 40 + ip.readUInt16BE(4), ipv6(ip, 8), ipv6(ip, 24), tsMs);
  }
  return undefined;
}

function tcpOf(ip: Buffer, ipHeaderBytes: number, ipTotalBytes: number, src: string, dst: string, tsMs: number): TcpSegment | undefined {
  const tcp = ip.subarray(ipHeaderBytes);
  if (tcp.length < 20) return undefined;
  const dataOffset = (tcp[12]! >> 4) * 4;
  const payloadBytes = ipTotalBytes - ipHeaderBytes - dataOffset;
  const captured = tcp.subarray(dataOffset, dataOffset + Math.max(payloadBytes, 0));
  return {
    tsMs,
    src,
    srcPort: tcp.readUInt16BE(0),
    dst,
    dstPort: tcp.readUInt16BE(2),
    seq: tcp.readUInt32BE(4),
    payload: captured,
    truncated: captured.length < payloadBytes,
  };
}

function ipv4(buffer: Buffer, at: number): string {
  return `${buffer[at]}.${buffer[at + 1]}.${buffer[at + 2]}.${buffer[at + 3]}`;
}

function ipv6(buffer: Buffer, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(buffer.readUInt16BE(at + i).toString(16));
  return `[${groups.join(':')}]`;
}
