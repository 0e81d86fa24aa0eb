/**
 * Parsers for the Linux /proc files the host sampler reads (proc(5)). Pure, so they are table-tested on
 * captured text. Counters are cumulative; the sampler turns two readings into rates.
 */

export interface CpuTimes {
  /** Jiffies not idle: user + nice + system + irq + softirq + steal (guest time is already inside user/nice). */
  readonly busy: number;
  /** busy + idle + iowait. */
  readonly total: number;
}

export interface ProcStat {
  readonly all: CpuTimes;
  /** Indexed by core number (cpuN). */
  readonly cores: readonly CpuTimes[];
}

export function parseProcStat(text: string): ProcStat {
  let all: CpuTimes = { busy: 0, total: 0 };
  const cores: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const match = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = match[2]!
      .trim()
      .split(/\s+/)
      .map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    const times = { busy, total: busy + idle + iowait };
    if (match[1] === '') all = times;
    else cores[Number(match[1])] = times;
  }
  return { all, cores };
}

/** Busy share of the interval between two readings, in percent; undefined when no time passed. */
export function cpuPercent(before: CpuTimes, after: CpuTimes): number | undefined {
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  return Math.min(100, Math.max(0, ((after.busy - before.busy) / total) * 100));
}

export interface MemInfo {
  readonly totalBytes: number;
  /** MemAvailable: what can be allocated without swapping (so used = total − available, as `free` shows). */
  readonly availableBytes: number;
}

export function parseMeminfo(text: string): MemInfo {
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  // Kernels before 3.14 have no MemAvailable; free + buffers + cached is the old approximation.
  return {
    totalBytes: total,
    availableBytes: Number.isNaN(available) ? kib('MemFree') + kib('Buffers') + kib('Cached') : available,
  };
}

export interface ByteCounters {
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** /proc/net/dev → cumulative bytes per interface. */
export function parseNetDev(text: string): Map<string, ByteCounters> {
  const interfaces = new Map<string, ByteCounters>();
  for (const line of text.split('\n')) {
    const match = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    const columns = match[2]!.trim().split(/\s+/).map(Number);
    if (columns.length < 9) continue;
    interfaces.set(match[1]!, { rxBytes: columns[0]!, txBytes: columns[8]! });
  }
  return interfaces;
}

/**
 * Interfaces left out of host throughput: loopback, and the virtual devices container networking adds
 * (veth pairs and bridges carry the same bytes as the physical interface, so counting them double-counts).
 */
export function isCountedInterface(name: string): boolean {
  return !/^(lo|veth|docker\d|br-|virbr|cni|flannel|cali|vxlan|ifb)/.test(name);
}

/** /proc/diskstats sectors are always 512 bytes, whatever the device's block size. */
const SECTOR_BYTES = 512;

export interface DiskCounters {
  readonly readBytes: number;
  readonly writeBytes: number;
}

/** /proc/diskstats → cumulative bytes per device. */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const devices = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 10) continue;
    devices.set(columns[2]!, {
      readBytes: Number(columns[5]) * SECTOR_BYTES,
      writeBytes: Number(columns[9]) * SECTOR_BYTES,
    });
  }
  return devices;
}

/**
 * Whole physical disks only: partitions repeat their disk's bytes, and device-mapper, md, loop and zram
 * devices sit on top of (or beside) real disks. `wholeDisks` is the content of /sys/block.
 */
export function countedDisks(wholeDisks: readonly string[]): Set<string> {
  return new Set(wholeDisks.filter((name) => !/^(loop|ram|zram|dm-|md|nbd|sr|fd)/.test(name)));
}

/** Sums a counter over the selected keys. */
export function sumOver<T>(map: ReadonlyMap<string, T>, keep: (name: string) => boolean, pick: (value: T) => number): number {
  let sum = 0;
  for (const [name, value] of map) if (keep(name)) sum += pick(value);
  return sum;
}
