/**
 * The machine the client ran on, for run.json `host`. One-off, so systeminformation's forks are fine here.
 */
import os from 'node:os';
import { systemInformation } from '../lazy-modules.js';

export interface HostInventory {
  hostname: string;
  platform: string;
  arch: string;
  os: string;
  kernel: string;
  cpu_model: string;
  cpu_logical_cores: number;
  cpu_physical_cores: number;
  cpu_speed_ghz: number | null;
  mem_total_bytes: number;
  node_version: string;
}

export async function hostInventory(): Promise<HostInventory> {
  const [cpu, osInfo] = await Promise.all([systemInformation().cpu(), systemInformation().osInfo()]);
  return {
    hostname: os.hostname(),
    platform: process.platform,
    arch: process.arch,
    os: [osInfo.distro, osInfo.release].filter(Boolean).join(' ') || os.type(),
    kernel: osInfo.kernel || os.release(),
    cpu_model: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ') || os.cpus()[0]?.model || 'unknown',
    cpu_logical_cores: cpu.cores || os.cpus().length,
    cpu_physical_cores: cpu.physicalCores || os.cpus().length,
    cpu_speed_ghz: cpu.speed || null,
    mem_total_bytes: os.totalmem(),
    node_version: process.version,
  };
}
