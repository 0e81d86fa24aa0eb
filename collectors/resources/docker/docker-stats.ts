/**
 * Docker's stats JSON (GET /containers/{id}/stats) → `container` fields, computed the way `docker stats` does
 * (docker/cli cli/command/container/stats_helpers.go): CPU % = Δcontainer / Δsystem × online CPUs × 100
 * (so 100 = one core), memory = usage − inactive_file (page cache the kernel can drop). Pure.
 */

export interface DockerCpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface DockerStats {
  read?: string;
  name?: string;
  cpu_stats?: DockerCpuStats;
  precpu_stats?: DockerCpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
  pids_stats?: { current?: number };
}

/** undefined when there is no earlier reading to difference against (first one-shot sample). */
export function dockerCpuPercent(current: DockerCpuStats | undefined, previous: DockerCpuStats | undefined): number | undefined {
  const total = current?.cpu_usage?.total_usage;
  const system = current?.system_cpu_usage;
  const previousTotal = previous?.cpu_usage?.total_usage;
  const previousSystem = previous?.system_cpu_usage;
  if (total === undefined || system === undefined || !previousSystem || previousTotal === undefined) return undefined;
  const cpuDelta = total - previousTotal;
  const systemDelta = system - previousSystem;
  const onlineCpus = current?.online_cpus || current?.cpu_usage?.percpu_usage?.length || 0;
  if (systemDelta <= 0 || onlineCpus === 0) return undefined;
  return cpuDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;
}

export function dockerMemoryUsedBytes(memory: DockerStats['memory_stats']): number | undefined {
  const usage = memory?.usage;
  if (usage === undefined) return undefined;
  // cgroup v1 names it total_inactive_file, cgroup v2 inactive_file.
  const inactive = memory?.stats?.total_inactive_file ?? memory?.stats?.inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

export interface ContainerCounters {
  readonly timeMs: number;
  readonly cpu: DockerCpuStats | undefined;
  readonly rxBytes: number | undefined;
  readonly txBytes: number | undefined;
}

/**
 * Fields of one sample. `previous` is this sampler's earlier reading: stats are fetched one-shot (no 1 s wait
 * inside the daemon), so CPU % and byte rates come from two of our own readings; on the first reading the
 * daemon's precpu_stats are used when it filled them.
 */
export function containerFields(stats: DockerStats, timeMs: number, previous?: ContainerCounters): {
  fields: Record<string, number>;
  counters: ContainerCounters;
} {
  const networks = Object.values(stats.networks ?? {});
  const rxBytes = networks.length > 0 ? networks.reduce((sum, n) => sum + (n.rx_bytes ?? 0), 0) : undefined;
  const txBytes = networks.length > 0 ? networks.reduce((sum, n) => sum + (n.tx_bytes ?? 0), 0) : undefined;
  const io = stats.blkio_stats?.io_service_bytes_recursive ?? [];
  const ioBytes = (op: string) =>
    io.length > 0 ? io.filter((entry) => entry.op?.toLowerCase() === op).reduce((sum, entry) => sum + (entry.value ?? 0), 0) : undefined;

  const fields: Record<string, number | undefined> = {
    cpu_pct: dockerCpuPercent(stats.cpu_stats, previous?.cpu ?? stats.precpu_stats),
    mem_used_bytes: dockerMemoryUsedBytes(stats.memory_stats),
    mem_limit_bytes: stats.memory_stats?.limit,
    net_rx_bytes: rxBytes,
    net_tx_bytes: txBytes,
    disk_read_bytes: ioBytes('read'),
    disk_write_bytes: ioBytes('write'),
    pids: stats.pids_stats?.current,
  };
  const seconds = previous ? (timeMs - previous.timeMs) / 1000 : 0;
  if (previous && seconds > 0) {
    if (rxBytes !== undefined && previous.rxBytes !== undefined && rxBytes >= previous.rxBytes) {
      fields.net_rx_bps = (rxBytes - previous.rxBytes) / seconds;
    }
    if (txBytes !== undefined && previous.txBytes !== undefined && txBytes >= previous.txBytes) {
      fields.net_tx_bps = (txBytes - previous.txBytes) / seconds;
    }
  }
  const defined: Record<string, number> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && Number.isFinite(value)) defined[key] = value;
  return { fields: defined, counters: { timeMs, cpu: stats.cpu_stats, rxBytes, txBytes } };
}
