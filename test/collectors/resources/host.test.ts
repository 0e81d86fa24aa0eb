import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import {
  countedDisks,
  cpuPercent,
  isCountedInterface,
  parseDiskstats,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
} from '../../../collectors/resources/host/procfs.js';
import { ProcfsHostSampler, openHostSampler } from '../../../collectors/resources/host/host-sampler.js';
import { hostInventory } from '../../../collectors/resources/host/host-inventory.js';

// Captured on this project's Linux VM (2 vCPU).
const STAT_1 = `cpu  15487 0 9672 108834 254 0 346 0 0 0
cpu0 6858 0 4458 55770 30 0 154 0 0 0
cpu1 8629 0 5214 53064 223 0 191 0 0 0
intr 1234 0 0
ctxt 98765
`;
const STAT_2 = `cpu  15587 0 9722 108884 254 0 346 0 0 0
cpu0 6938 0 4478 55770 30 0 154 0 0 0
cpu1 8649 0 5244 53114 223 0 191 0 0 0
`;
const MEMINFO = `MemTotal:       24683620 kB
MemFree:        24035464 kB
MemAvailable:   24272096 kB
Buffers:            3212 kB
Cached:           426476 kB
`;
const NET_DEV = (eth0Rx: number, eth0Tx: number) => `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  106941     486    0    0    0     0          0         0   106941     486    0    0    0     0       0          0
  ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0: ${eth0Rx}    6628    0    0    0     0          0         0   ${eth0Tx}    4513    0    0    0     0       0          0
veth12ab: 999999    10    0    0    0     0          0         0   999999    10    0    0    0     0       0          0
`;
const DISKSTATS = (readSectors: number, writeSectors: number) => `   7       0 loop0 500 0 4000 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 24599 6951 ${readSectors} 14918 3030 18631 ${writeSectors} 2731 0 3980 18371 3633 48 85832 583 125 136
 254       1 vda1 24000 6900 1600000 14000 3000 18000 1100000 2700 0 3900 18000 3600 48 85832 583 125 136
 253       0 zram0 10 0 80 0 10 0 80 0 0 0 0 0 0 0 0 0 0
`;

test('/proc/stat: aggregate and per-core busy and total jiffies', (t) => {
  const stat = parseProcStat(STAT_1);
  t.deepEqual(stat.all, { busy: 15487 + 9672 + 346, total: 15487 + 9672 + 346 + 108834 + 254 });
  t.is(stat.cores.length, 2);
  const next = parseProcStat(STAT_2);
  // Δbusy = 100 + 50 = 150 of Δtotal = 150 + 50 idle → 75 %.
  t.is(cpuPercent(stat.all, next.all), 75);
  t.is(cpuPercent(stat.cores[0]!, next.cores[0]!), 100);
  t.is(cpuPercent(stat.all, stat.all), undefined);
});

test('/proc/meminfo: used = total − available (with the pre-3.14 fallback)', (t) => {
  t.deepEqual(parseMeminfo(MEMINFO), { totalBytes: 24683620 * 1024, availableBytes: 24272096 * 1024 });
  const old = MEMINFO.replace(/^MemAvailable.*\n/m, '');
  t.is(parseMeminfo(old).availableBytes, (24035464 + 3212 + 426476) * 1024);
});

test('/proc/net/dev and /proc/diskstats: loopback, virtual interfaces, partitions and loop devices are not counted', (t) => {
  const net = parseNetDev(NET_DEV(154839995, 567550));
  t.deepEqual(net.get('eth0'), { rxBytes: 154839995, txBytes: 567550 });
  t.deepEqual([...net.keys()].filter(isCountedInterface), ['eth0']);
  const disks = parseDiskstats(DISKSTATS(1657762, 1185304));
  t.deepEqual(disks.get('vda'), { readBytes: 1657762 * 512, writeBytes: 1185304 * 512 });
  t.deepEqual([...countedDisks(['loop0', 'loop1', 'vda', 'zram0', 'dm-0', 'md127', 'nvme0n1', 'sda'])], ['vda', 'nvme0n1', 'sda']);
});

test('host sampler: first sample primes (memory only), the second has exact rates and per-core CPU', async (t) => {
  const root = await mkdtemp(join(os.tmpdir(), 'llmbench-proc-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'net'));
  const write = async (stat: string, rx: number, tx: number, readSectors: number, writeSectors: number) => {
    await writeFile(join(root, 'stat'), stat);
    await writeFile(join(root, 'meminfo'), MEMINFO);
    await writeFile(join(root, 'net/dev'), NET_DEV(rx, tx));
    await writeFile(join(root, 'diskstats'), DISKSTATS(readSectors, writeSectors));
  };
  const sampler = new ProcfsHostSampler({ run_id: 'r1', host: 'h' }, countedDisks(['vda', 'loop0', 'zram0']), root);
  const signal = new AbortController().signal;
  await write(STAT_1, 1_000_000, 2_000, 10_000, 20_000);
  const first = await sampler.sample({ index: 0, timeMs: 10_000, signal });
  t.deepEqual(first, [
    { measurement: 'host', tags: { run_id: 'r1', host: 'h' }, fields: { mem_used_bytes: (24683620 - 24272096) * 1024, mem_total_bytes: 24683620 * 1024 }, time_ms: 10_000 },
  ]);
  await write(STAT_2, 1_500_000, 2_500, 10_000 + 4096, 20_000 + 2048);
  const second = await sampler.sample({ index: 1, timeMs: 12_000, signal }); // two seconds later
  t.deepEqual(second[0]!.fields, {
    mem_used_bytes: (24683620 - 24272096) * 1024,
    mem_total_bytes: 24683620 * 1024,
    cpu_pct: 75,
    net_rx_bps: 250_000,
    net_tx_bps: 250,
    disk_read_bps: (4096 * 512) / 2,
    disk_write_bps: (2048 * 512) / 2,
  });
  t.deepEqual(
    second.slice(1).map((p) => [p.measurement, p.tags.core, p.fields.cpu_pct]),
    [
      ['host_cpu', '0', 100],
      ['host_cpu', '1', 50],
    ],
  );
});

test('host sampler on this machine: every host field, and host_cpu for every core', async (t) => {
  const sampler = await openHostSampler({ run_id: 'r1', host: 'h' });
  t.is(sampler.source, process.platform === 'linux' ? 'procfs' : 'systeminformation');
  const signal = new AbortController().signal;
  const now = performance.timeOrigin + performance.now();
  await sampler.sample({ index: 0, timeMs: now, signal });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const points = await sampler.sample({ index: 1, timeMs: performance.timeOrigin + performance.now(), signal });
  const host = points.find((p) => p.measurement === 'host')!;
  for (const field of ['cpu_pct', 'mem_used_bytes', 'mem_total_bytes', 'net_rx_bps', 'net_tx_bps', 'disk_read_bps', 'disk_write_bps']) {
    t.is(typeof host.fields[field], 'number', field);
  }
  t.true((host.fields.cpu_pct as number) >= 0 && (host.fields.cpu_pct as number) <= 100);
  t.is(host.fields.mem_total_bytes, os.totalmem());
  const cores = points.filter((p) => p.measurement === 'host_cpu');
  t.deepEqual(cores.map((p) => p.tags.core), os.cpus().map((_, i) => String(i)));
});

test('the systeminformation fallback gives the same fields', async (t) => {
  const sampler = await openHostSampler({ run_id: 'r1', host: 'h' }, 'systeminformation');
  const points = await sampler.sample({ index: 1, timeMs: 1, signal: new AbortController().signal });
  const host = points.find((p) => p.measurement === 'host')!;
  for (const field of ['cpu_pct', 'mem_used_bytes', 'mem_total_bytes']) t.is(typeof host.fields[field], 'number', field);
  t.is(points.filter((p) => p.measurement === 'host_cpu').length, os.cpus().length);
});

test('host inventory for run.json', async (t) => {
  const inventory = await hostInventory();
  t.is(inventory.hostname, os.hostname());
  t.is(inventory.cpu_logical_cores, os.cpus().length);
  t.is(inventory.mem_total_bytes, os.totalmem());
  t.truthy(inventory.cpu_model);
});
