/**
 * NVML (libnvidia-ml.so.1) through koffi: the cheapest way to read a GPU (14.6 µs for four calls on the H200,
 * fixtures/nvidia-smi/nvml_koffi.txt). Only the calls the sampler and the inventory need. Types are built once
 * per process, anonymously, because koffi keeps named types in a global registry.
 */
import koffi, { type LibraryHandle } from 'koffi';
import { SamplerUnavailable } from '../sampler.js';
import type { GpuNumberField, GpuReading, MutableGpuReading } from './gpu-reading.js';

export const NVML_LIBRARY = 'libnvidia-ml.so.1';

const NVML_SUCCESS = 0;
const NVML_ERROR_NOT_SUPPORTED = 3;
const NVML_TEMPERATURE_GPU = 0;
const NVML_CLOCK_SM = 1;
const NVML_CLOCK_MEM = 2;
/** NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE, NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE. */
const NAME_BUFFER_BYTES = 96;
const UUID_BUFFER_BYTES = 96;
const DRIVER_BUFFER_BYTES = 80;

type KoffiLibrary = LibraryHandle;
type KoffiFunction = ReturnType<KoffiLibrary['func']>;
/** koffi does not export its TypeSpec; this is it. */
type TypeSpec = Parameters<typeof koffi.out>[0];

interface NvmlTypes {
  device: ReturnType<typeof koffi.pointer>;
  utilization: ReturnType<typeof koffi.struct>;
  memoryV1: ReturnType<typeof koffi.struct>;
  memoryV2: ReturnType<typeof koffi.struct>;
}
let typesOnce: NvmlTypes | undefined;
function nvmlTypes(): NvmlTypes {
  typesOnce ??= {
    device: koffi.pointer(koffi.opaque()),
    utilization: koffi.struct({ gpu: 'uint32_t', memory: 'uint32_t' }),
    memoryV1: koffi.struct({ total: 'uint64_t', free: 'uint64_t', used: 'uint64_t' }),
    // nvmlMemory_v2_t: `used` excludes driver-reserved memory, which makes it match nvidia-smi's memory.used
    // (v1 counted ~615 MiB "used" on an idle H200 where nvidia-smi said 0).
    memoryV2: koffi.struct({ version: 'uint32_t', total: 'uint64_t', reserved: 'uint64_t', free: 'uint64_t', used: 'uint64_t' }),
  };
  return typesOnce;
}

const MIB = 1024 * 1024;

/** One reading per call, reusing out-parameters so a tick allocates almost nothing. */
export class NvmlLibrary {
  readonly #lib: KoffiLibrary;
  readonly #fn: Record<string, KoffiFunction | undefined> = {};
  readonly #out = [0 as number | bigint];
  /** Per device, the readings that answered NOT_SUPPORTED once: not asked again. */
  readonly #unsupported = new Map<number, Set<GpuNumberField>>();
  #handles: unknown[] = [];

  private constructor(lib: KoffiLibrary) {
    this.#lib = lib;
  }

  /** Loads and initialises NVML; throws SamplerUnavailable with a one-line reason when it cannot. */
  static open(libraryPath: string = NVML_LIBRARY): NvmlLibrary {
    let lib: KoffiLibrary;
    try {
      lib = koffi.load(libraryPath);
    } catch (error) {
      throw new SamplerUnavailable(`NVML not available (${libraryPath}: ${(error as Error).message})`, { cause: error });
    }
    const nvml = new NvmlLibrary(lib);
    nvml.#bind();
    const init = nvml.#fn.init;
    if (!init) throw new SamplerUnavailable(`NVML not usable (${libraryPath} has no nvmlInit_v2)`);
    const rc = init() as number;
    if (rc !== NVML_SUCCESS) throw new SamplerUnavailable(`NVML init failed: ${nvml.errorString(rc)}`);
    const count = nvml.deviceCount();
    for (let index = 0; index < count; index++) {
      const handle = [null as unknown];
      const handleRc = nvml.#fn.handleByIndex!(index, handle) as number;
      if (handleRc !== NVML_SUCCESS) {
        nvml.shutdown();
        throw new SamplerUnavailable(`NVML could not open GPU ${index}: ${nvml.errorString(handleRc)}`);
      }
      nvml.#handles.push(handle[0]);
    }
    return nvml;
  }

  get count(): number {
    return this.#handles.length;
  }

  errorString(rc: number): string {
    const text = this.#fn.errorString?.(rc) as string | undefined;
    return text ? `${text} (${rc})` : `NVML error ${rc}`;
  }

  driverVersion(): string | undefined {
    return this.#string(this.#fn.driverVersion, DRIVER_BUFFER_BYTES);
  }

  name(index: number): string {
    return this.#string(this.#fn.name, NAME_BUFFER_BYTES, this.#handles[index]) ?? `GPU ${index}`;
  }

  uuid(index: number): string | undefined {
    return this.#string(this.#fn.uuid, UUID_BUFFER_BYTES, this.#handles[index]);
  }

  /** Everything the `gpu` point carries, from ~10 NVML calls. */
  read(index: number, name: string): GpuReading {
    const handle = this.#handles[index];
    const reading: MutableGpuReading = { index, name };
    const skip = this.#unsupportedOf(index);
    const t = nvmlTypes();
    const fn = this.#fn;

    if (!skip.has('util_pct') && fn.utilization) {
      const utilization = { gpu: 0, memory: 0 };
      if (this.#check(index, 'util_pct', fn.utilization(handle, utilization) as number)) {
        reading.util_pct = utilization.gpu;
        reading.mem_util_pct = utilization.memory;
      }
    }
    if (!skip.has('mem_used_mib')) this.#readMemory(index, handle, reading, t);
    this.#readUint(index, 'power_w', fn.power, handle, reading, (mw) => mw / 1000);
    this.#readUint(index, 'power_limit_w', fn.powerLimit, handle, reading, (mw) => mw / 1000);
    this.#readUint(index, 'temp_c', fn.temperature, handle, reading, (c) => c, NVML_TEMPERATURE_GPU);
    this.#readUint(index, 'sm_clock_mhz', fn.clock, handle, reading, (mhz) => mhz, NVML_CLOCK_SM);
    this.#readUint(index, 'mem_clock_mhz', fn.clock, handle, reading, (mhz) => mhz, NVML_CLOCK_MEM);
    this.#readUint(index, 'throttle_reasons_mask', fn.clocksEventReasons, handle, reading, (mask) => mask);
    this.#readUint(index, 'energy_mj', fn.energy, handle, reading, (mj) => mj);
    return reading;
  }

  shutdown(): void {
    this.#fn.shutdown?.();
    this.#handles = [];
  }

  deviceCount(): number {
    const count = [0];
    const rc = this.#fn.deviceCount!(count) as number;
    if (rc !== NVML_SUCCESS) throw new SamplerUnavailable(`NVML could not count GPUs: ${this.errorString(rc)}`);
    return count[0]!;
  }

  #readMemory(index: number, handle: unknown, reading: MutableGpuReading, t: NvmlTypes): void {
    if (this.#fn.memoryV2) {
      const memory = { version: koffi.sizeof(t.memoryV2) | (2 << 24), total: 0, reserved: 0, free: 0, used: 0 };
      if ((this.#fn.memoryV2(handle, memory) as number) === NVML_SUCCESS) {
        reading.mem_used_mib = Number(memory.used) / MIB;
        reading.mem_total_mib = Number(memory.total) / MIB;
        return;
      }
    }
    if (!this.#fn.memoryV1) return;
    const memory = { total: 0, free: 0, used: 0 };
    if (this.#check(index, 'mem_used_mib', this.#fn.memoryV1(handle, memory) as number)) {
      reading.mem_used_mib = Number(memory.used) / MIB;
      reading.mem_total_mib = Number(memory.total) / MIB;
    }
  }

  #readUint(
    index: number,
    field: GpuNumberField,
    fn: KoffiFunction | undefined,
    handle: unknown,
    reading: MutableGpuReading,
    convert: (raw: number) => number,
    selector?: number,
  ): void {
    if (!fn || this.#unsupportedOf(index).has(field)) return;
    const rc = (selector === undefined ? fn(handle, this.#out) : fn(handle, selector, this.#out)) as number;
    if (this.#check(index, field, rc)) reading[field] = convert(Number(this.#out[0]));
  }

  /** True on success; remembers NOT_SUPPORTED so the call is not repeated every second. */
  #check(index: number, field: GpuNumberField, rc: number): boolean {
    if (rc === NVML_ERROR_NOT_SUPPORTED) this.#unsupportedOf(index).add(field);
    return rc === NVML_SUCCESS;
  }

  #unsupportedOf(index: number): Set<GpuNumberField> {
    let set = this.#unsupported.get(index);
    if (!set) this.#unsupported.set(index, (set = new Set()));
    return set;
  }

  #string(fn: KoffiFunction | undefined, bytes: number, handle?: unknown): string | undefined {
    if (!fn) return undefined;
    const buffer = Buffer.alloc(bytes);
    const rc = (handle === undefined ? fn(buffer, bytes) : fn(handle, buffer, bytes)) as number;
    if (rc !== NVML_SUCCESS) return undefined;
    const end = buffer.indexOf(0);
    return buffer.toString('utf8', 0, end < 0 ? bytes : end);
  }

  #bind(): void {
    const t = nvmlTypes();
    const outUint = koffi.out(koffi.pointer('uint32_t'));
    const outUint64 = koffi.out(koffi.pointer('uint64_t'));
    const bind = (name: string, result: TypeSpec, args: TypeSpec[]) => this.#optional(name, result, args);
    this.#fn.init = bind('nvmlInit_v2', 'int', []);
    this.#fn.shutdown = bind('nvmlShutdown', 'int', []);
    this.#fn.errorString = bind('nvmlErrorString', 'const char *', ['int']);
    this.#fn.driverVersion = bind('nvmlSystemGetDriverVersion', 'int', ['void *', 'uint32_t']);
    this.#fn.deviceCount = bind('nvmlDeviceGetCount_v2', 'int', [outUint]);
    this.#fn.handleByIndex = bind('nvmlDeviceGetHandleByIndex_v2', 'int', ['uint32_t', koffi.out(koffi.pointer(t.device))]);
    this.#fn.name = bind('nvmlDeviceGetName', 'int', [t.device, 'void *', 'uint32_t']);
    this.#fn.uuid = bind('nvmlDeviceGetUUID', 'int', [t.device, 'void *', 'uint32_t']);
    this.#fn.utilization = bind('nvmlDeviceGetUtilizationRates', 'int', [t.device, koffi.out(koffi.pointer(t.utilization))]);
    this.#fn.memoryV2 = bind('nvmlDeviceGetMemoryInfo_v2', 'int', [t.device, koffi.inout(koffi.pointer(t.memoryV2))]);
    this.#fn.memoryV1 = bind('nvmlDeviceGetMemoryInfo', 'int', [t.device, koffi.out(koffi.pointer(t.memoryV1))]);
    this.#fn.power = bind('nvmlDeviceGetPowerUsage', 'int', [t.device, outUint]);
    this.#fn.powerLimit = bind('nvmlDeviceGetEnforcedPowerLimit', 'int', [t.device, outUint]);
    this.#fn.temperature = bind('nvmlDeviceGetTemperature', 'int', [t.device, 'int', outUint]);
    this.#fn.clock = bind('nvmlDeviceGetClockInfo', 'int', [t.device, 'int', outUint]);
    // Renamed in CUDA 12.2 drivers; the old symbol stays for compatibility, the new one may be missing on old drivers.
    this.#fn.clocksEventReasons =
      bind('nvmlDeviceGetCurrentClocksEventReasons', 'int', [t.device, outUint64]) ??
      bind('nvmlDeviceGetCurrentClocksThrottleReasons', 'int', [t.device, outUint64]);
    this.#fn.energy = bind('nvmlDeviceGetTotalEnergyConsumption', 'int', [t.device, outUint64]);
    if (!this.#fn.deviceCount || !this.#fn.handleByIndex) {
      throw new SamplerUnavailable('NVML not usable (the library lacks nvmlDeviceGetCount_v2/GetHandleByIndex_v2)');
    }
  }

  /** A symbol this driver may not export (older drivers miss the _v2 and renamed calls). */
  #optional(name: string, result: TypeSpec, args: TypeSpec[]): KoffiFunction | undefined {
    try {
      return this.#lib.func(name, result, args);
    } catch {
      // koffi throws when the symbol is absent; the reading it would give is simply left out.
      return undefined;
    }
  }
}
