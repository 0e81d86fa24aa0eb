import test from 'ava';
import { PcapFormatError, readPcap } from '../../../bench/wire/pcap.js';

/** One IPv4/TCP frame 127.0.0.1:40000 → 127.0.0.1:8000 carrying `payload`, behind `linkHeader`. */
function frame(payload: string, linkHeader: Buffer): Buffer {
  const body = Buffer.from(payload);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45; // IPv4, 20-byte header
  ip.writeUInt16BE(20 + 20 + body.length, 2);
  ip[9] = 6; // TCP
  Buffer.from([127, 0, 0, 1]).copy(ip, 12);
  Buffer.from([127, 0, 0, 1]).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(8000, 2);
  tcp.writeUInt32BE(4_294_967_000, 4);
  tcp[12] = 5 << 4; // 20-byte header
  return Buffer.concat([linkHeader, ip, tcp, body]);
}

const ETHERNET_IPV4 = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]);

/** A pcap file as libpcap writes it, in either byte order and either timestamp resolution. */
function pcap(frames: Buffer[], options: { bigEndian?: boolean; nanos?: boolean; linkType?: number; snapBytes?: number } = {}): Buffer {
  const write = (buffer: Buffer, value: number, at: number) => (options.bigEndian ? buffer.writeUInt32BE(value, at) : buffer.writeUInt32LE(value, at));
  const header = Buffer.alloc(24);
  write(header, options.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  write(header, 65535, 16);
  write(header, options.linkType ?? 1, 20);
  const records = frames.map((data, i) => {
    const captured = data.subarray(0, options.snapBytes ?? data.length);
    const record = Buffer.alloc(16);
    write(record, 1_795_800_000 + i, 0);
    write(record, options.nanos ? 250_000_000 : 250_000, 4); // .25 s either way
    write(record, captured.length, 8);
    write(record, data.length, 12);
    return Buffer.concat([record, captured]);
  });
  return Buffer.concat([header, ...records]);
}

for (const [name, options] of [
  ['little-endian microseconds', {}],
  ['big-endian microseconds', { bigEndian: true }],
  ['little-endian nanoseconds', { nanos: true }],
] as const) {
  test(`reads ${name}: addresses, ports, sequence, payload and the kernel timestamp`, (t) => {
    const [segment, second] = readPcap(pcap([frame('POST /v1 HTTP/1.1', ETHERNET_IPV4), frame('x', ETHERNET_IPV4)], options));
    t.like(segment, { src: '127.0.0.1', srcPort: 40000, dst: '127.0.0.1', dstPort: 8000, seq: 4_294_967_000, truncated: false });
    t.is(segment!.payload.toString(), 'POST /v1 HTTP/1.1');
    t.is(segment!.tsMs, 1_795_800_000_250);
    t.is(second!.tsMs, 1_795_800_001_250);
  });
}

test('Linux cooked captures (-i any) and raw IP are read too', (t) => {
  const cooked = Buffer.alloc(16);
  cooked.writeUInt16BE(0x0800, 14);
  t.is(readPcap(pcap([frame('a', cooked)], { linkType: 113 }))[0]!.payload.toString(), 'a');
  t.is(readPcap(pcap([frame('b', Buffer.alloc(0))], { linkType: 101 }))[0]!.payload.toString(), 'b');
});

test('a payload cut by the snap length is marked truncated, not passed off as whole', (t) => {
  const [segment] = readPcap(pcap([frame('0123456789', ETHERNET_IPV4)], { snapBytes: 14 + 40 + 4 }));
  t.true(segment!.truncated);
  t.is(segment!.payload.toString(), '0123');
});

test('pcapng, unknown link types and short files are refused with what to do', (t) => {
  const pcapng = Buffer.alloc(28);
  pcapng.writeUInt32LE(0x0a0d0d0a, 0);
  t.regex(t.throws(() => readPcap(pcapng), { instanceOf: PcapFormatError }).message, /pcapng is not read: capture with tcpdump -w/);
  t.regex(t.throws(() => readPcap(pcap([], { linkType: 105 })), { instanceOf: PcapFormatError }).message, /link type 105/);
  t.throws(() => readPcap(Buffer.alloc(3)), { instanceOf: PcapFormatError });
});
