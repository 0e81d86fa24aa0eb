/**
 * Host CPU (aggregate and per core), memory, network and disk throughput → `host` and `host_cpu` points.
 *
 * On Linux it reads /proc directly (four small files: ~180 µs of CPU per sample). systeminformation is the
 * fallback elsewhere, and not the default here because on Linux its currentLoad() runs `cat /proc/stat | grep
 * cpu` through execSync (blocking the event loop ~100 ms per call on this project's VMs) and networkStats()
 * and fsStats() fork shell pipelines on every call: one sample cost ~60 ms of CPU plus ~200 ms in child
 * processes (bench/monitor/sampler-cost.ts), a quarter of a core at 1 Hz.
 *
 * The /proc reads are synchronous on purpose: /proc files are generated in memory by the kernel, never wait
 * on a disk, and read in ~150 µs of CPU for all four, against ~1.2 ms through the libuv threadpool (measured
 * here). The monitor runs on the coordinator thread; request timing happens in the worker threads.
 *
 * Rates need two readings: the first sample only primes them (it carries the memory fields alone).
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { systemInformation } from '../lazy-modules.js';
import type { Point } from '../../../pipeline/core/point.js';
import type { Sampler, SampleTick } from '../sampler.js';
import {
  countedDisks,
  cpuPercent,
  isCountedInterface,
  parseDiskstats,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
  sumOver,
  type ProcStat,
} from './procfs.js';

export type HostSource = 'procfs' | 'systeminformation';

export interface HostFields {
  cpu_pct?: number;
  mem_used_bytes?: number;
  mem_total_bytes?: number;
  net_rx_bps?: number;
  net_tx_bps?: number;
  disk_read_bps?: number;
  disk_write_bps?: number;
}

export async function openHostSampler(tags: Readonly<Record<string, string>>, source?: HostSource): Promise<Sampler> {
  const chosen = source ?? (process.platform === 'linux' ? 'procfs' : 'systeminformation');
  if (chosen === 'procfs') {
    // Without /sys/block (unusual containers) the whole disks are unknown and disk fields are left out.
    const disks = await readdir('/sys/block').catch(() => [] as string[]);
    return new ProcfsHostSampler(tags, countedDisks(disks));
  }
  const sampler = new SystemInformationHostSampler(tags);
  await sampler.prime();
  return sampler;
}

interface ProcSnapshot {
  timeMs: number;
  stat: ProcStat;
  rxBytes: number;
  txBytes: number;
  readBytes: number;
  writeBytes: number;
}

export class ProcfsHostSampler implements Sampler {
  readonly name = 'host';
  readonly source = 'procfs';
  #previous: ProcSnapshot | undefined;

  constructor(
    private readonly tags: Readonly<Record<string, string>>,
    private readonly disks: ReadonlySet<string>,
    private readonly procRoot = '/proc',
  ) {}

  sample(tick: SampleTick): readonly Point[] {
    const [statText, memText, netText, diskText] = ['stat', 'meminfo', 'net/dev', 'diskstats'].map((file) =>
      readFileSync(`${this.procRoot}/${file}`, 'utf8'),
    );
    const net = parseNetDev(netText!);
    const disk = parseDiskstats(diskText!);
    const now: ProcSnapshot = {
      timeMs: tick.timeMs,
      stat: parseProcStat(statText!),
      rxBytes: sumOver(net, isCountedInterface, (counters) => counters.rxBytes),
      txBytes: sumOver(net, isCountedInterface, (counters) => counters.txBytes),
      readBytes: sumOver(disk, (name) => this.disks.has(name), (counters) => counters.readBytes),
      writeBytes: sumOver(disk, (name) => this.disks.has(name), (counters) => counters.writeBytes),
    };
    const mem = parseMeminfo(memText!);
    const fields: HostFields = { mem_used_bytes: mem.totalBytes - mem.availableBytes, mem_total_bytes: mem.totalBytes };
    const before = this.#previous;
    this.#previous = now;
    const coreLoads: (number | undefined)[] = [];
    const seconds = before ? (now.timeMs - before.timeMs) / 1000 : 0;
    if (before && seconds > 0) {
      fields.cpu_pct = cpuPercent(before.stat.all, now.stat.all);
      fields.net_rx_bps = rate(before.rxBytes, now.rxBytes, seconds);
      fields.net_tx_bps = rate(before.txBytes, now.txBytes, seconds);
      if (this.disks.size > 0) {
        fields.disk_read_bps = rate(before.readBytes, now.readBytes, seconds);
        fields.disk_write_bps = rate(before.writeBytes, now.writeBytes, seconds);
      }
      now.stat.cores.forEach((core, i) => {
        const previousCore = before.stat.cores[i];
        coreLoads[i] = core && previousCore ? cpuPercent(previousCore, core) : undefined;
      });
    }
    return hostPoints(fields, coreLoads, this.tags, tick.timeMs);
  }
}

/** systeminformation keeps the previous reading itself: the first call of each function only primes it. */
export class SystemInformationHostSampler implements Sampler {
  readonly name = 'host';
  readonly source = 'systeminformation';

  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  async prime(): Promise<void> {
    await Promise.all([systemInformation().currentLoad(), systemInformation().networkStats('*'), systemInformation().fsStats()]);
  }

  async sample(tick: SampleTick): Promise<readonly Point[]> {
    const [load, mem, networks, fs] = await Promise.all([systemInformation().currentLoad(), systemInformation().mem(), systemInformation().networkStats('*'), systemInformation().fsStats()]);
    const counted = networks.filter((network) => isCountedInterface(network.iface));
    const fields: HostFields = {
      cpu_pct: load.currentLoad,
      mem_used_bytes: mem.total - mem.available,
      mem_total_bytes: mem.total,
      net_rx_bps: sumKnown(counted.map((network) => network.rx_sec)),
      net_tx_bps: sumKnown(counted.map((network) => network.tx_sec)),
      disk_read_bps: fs?.rx_sec ?? undefined,
      disk_write_bps: fs?.wx_sec ?? undefined,
    };
    return hostPoints(fields, load.cpus.map((cpu) => cpu.load), this.tags, tick.timeMs);
  }
}

function hostPoints(
  fields: HostFields,
  coreLoads: readonly (number | undefined)[],
  tags: Readonly<Record<string, string>>,
  timeMs: number,
): Point[] {
  const hostFields: Record<string, number> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'number' && Number.isFinite(value)) hostFields[key] = value;
  }
  const points: Point[] = [{ measurement: 'host', tags, fields: hostFields, time_ms: timeMs }];
  coreLoads.forEach((load, core) => {
    if (load === undefined || !Number.isFinite(load)) return;
    points.push({ measurement: 'host_cpu', tags: { ...tags, core: String(core) }, fields: { cpu_pct: load }, time_ms: timeMs });
  });
  return points;
}

/** Counters can go backwards when an interface is recreated; such an interval reports no rate, not a negative one. */
function rate(before: number, after: number, seconds: number): number | undefined {
  return after >= before ? (after - before) / seconds : undefined;
}

function sumKnown(values: readonly (number | null | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined;
}
