/**
 * What GPUs the run had, for run.json: names, memory, power limit, driver. One-off calls, so a one-shot
 * nvidia-smi (~27 ms) is fine here. Never throws: no GPU tooling is an inventory that says so.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parsePrometheusText, PrometheusScraper } from '../prometheus-text.js';
import { oneLine } from '../sampler.js';
import { dcgmReadings } from './dcgm-prometheus.js';
import { findNvidiaSmi } from './find-nvidia-smi.js';
import type { GpuMode } from './gpu-mode.js';
import { parseCsvNumber, parseCsvRow } from './nvidia-smi-csv.js';
import { NvmlLibrary } from './nvml-library.js';

export interface GpuInfo {
  index: number;
  name: string;
  uuid?: string;
  memory_total_mib?: number;
  power_limit_w?: number;
  pci_bus_id?: string;
  /** For GPUs read from another host's exporter. */
  host?: string;
}

export interface GpuInventory {
  source: 'nvml' | 'nvidia-smi' | 'prometheus' | 'none' | 'off';
  driver_version?: string;
  gpus: GpuInfo[];
  /** Why the inventory is empty or partial. */
  note?: string;
}

export interface GpuInventoryOptions {
  readonly mode?: GpuMode;
  readonly nvmlLibraryPath?: string;
  readonly nvidiaSmiPath?: string;
  readonly pathEnv?: string;
  readonly nvidiaSmiFallbackDirs?: readonly string[];
  readonly timeoutMs?: number;
}

const INVENTORY_QUERY = ['index', 'name', 'uuid', 'pci.bus_id', 'driver_version', 'memory.total', 'power.limit'];

export async function gpuInventory(options: GpuInventoryOptions = {}): Promise<GpuInventory> {
  const mode = options.mode ?? { kind: 'auto' };
  if (mode.kind === 'off') return { source: 'off', gpus: [] };
  if (mode.kind === 'prometheus') return prometheusInventory(mode.url, options.timeoutMs ?? 5000);
  const notes: string[] = [];
  if (mode.kind !== 'nvidia-smi') {
    try {
      return nvmlInventory(options.nvmlLibraryPath);
    } catch (error) {
      notes.push(oneLine(error));
    }
  }
  if (mode.kind !== 'nvml') {
    try {
      const inventory = await nvidiaSmiInventory(options);
      if (inventory) return inventory;
      notes.push('nvidia-smi not found');
    } catch (error) {
      notes.push(`nvidia-smi failed: ${oneLine(error)}`);
    }
  }
  return { source: 'none', gpus: [], note: notes.join('; ') };
}

function nvmlInventory(libraryPath: string | undefined): GpuInventory {
  const nvml = NvmlLibrary.open(libraryPath);
  try {
    const gpus = Array.from({ length: nvml.count }, (_, index): GpuInfo => {
      const name = nvml.name(index);
      const reading = nvml.read(index, name);
      const uuid = nvml.uuid(index);
      return {
        index,
        name,
        ...(uuid === undefined ? {} : { uuid }),
        ...(reading.mem_total_mib === undefined ? {} : { memory_total_mib: reading.mem_total_mib }),
        ...(reading.power_limit_w === undefined ? {} : { power_limit_w: reading.power_limit_w }),
      };
    });
    const driver = nvml.driverVersion();
    return { source: 'nvml', ...(driver === undefined ? {} : { driver_version: driver }), gpus };
  } finally {
    nvml.shutdown();
  }
}

async function nvidiaSmiInventory(options: GpuInventoryOptions): Promise<GpuInventory | undefined> {
  const executable =
    options.nvidiaSmiPath ?? (await findNvidiaSmi(options.pathEnv ?? process.env.PATH, options.nvidiaSmiFallbackDirs));
  if (!executable) return undefined;
  const { stdout } = await promisify(execFile)(
    executable,
    [`--query-gpu=${INVENTORY_QUERY.join(',')}`, '--format=csv,noheader,nounits'],
    { timeout: options.timeoutMs ?? 10_000 },
  );
  let driver: string | undefined;
  const gpus: GpuInfo[] = [];
  for (const line of stdout.split('\n')) {
    const row = parseCsvRow(line, INVENTORY_QUERY);
    const index = parseCsvNumber(row?.index);
    if (!row || index === undefined) continue;
    driver ??= row.driver_version ?? undefined;
    const memory = parseCsvNumber(row['memory.total']);
    const power = parseCsvNumber(row['power.limit']);
    gpus.push({
      index,
      name: row.name ?? `GPU ${index}`,
      ...(row.uuid ? { uuid: row.uuid } : {}),
      ...(memory === undefined ? {} : { memory_total_mib: memory }),
      ...(power === undefined ? {} : { power_limit_w: power }),
      ...(row['pci.bus_id'] ? { pci_bus_id: row['pci.bus_id'] } : {}),
    });
  }
  return { source: 'nvidia-smi', ...(driver === undefined ? {} : { driver_version: driver }), gpus };
}

async function prometheusInventory(url: string, timeoutMs: number): Promise<GpuInventory> {
  const scraper = new PrometheusScraper(url, timeoutMs);
  try {
    const families = parsePrometheusText(await scraper.scrape());
    const driver = families
      .flatMap((family) => family.metrics)
      .map((sample) => sample.labels?.DCGM_FI_DRIVER_VERSION)
      .find((value) => value !== undefined);
    const gpus = dcgmReadings(families).map(({ reading, host }): GpuInfo => ({
      index: reading.index,
      name: reading.name,
      ...(reading.mem_total_mib === undefined ? {} : { memory_total_mib: reading.mem_total_mib }),
      ...(reading.power_limit_w === undefined ? {} : { power_limit_w: reading.power_limit_w }),
      ...(host === undefined ? {} : { host }),
    }));
    return { source: 'prometheus', ...(driver === undefined ? {} : { driver_version: driver }), gpus };
  } catch (error) {
    return { source: 'none', gpus: [], note: oneLine(error) };
  } finally {
    await scraper.close();
  }
}
