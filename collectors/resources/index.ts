/** The resource-monitoring API (DESIGN §7): what `llmbench run` and `llmbench monitor` use. */
export { createMonitor, ResourceMonitor, type ResourcesSummary } from './monitor.js';
export { resolveMonitorOptions, type MonitorOptions, MIN_INTERVAL_MS } from './monitor-options.js';
export { parseGpuMode, type GpuMode } from './gpu/gpu-mode.js';
export { gpuInventory, type GpuInventory, type GpuInfo } from './gpu/gpu-inventory.js';
export { hostInventory, type HostInventory } from './host/host-inventory.js';
export { measureColdStart, type ColdStartOptions, type ColdStartResult } from './docker/cold-start.js';
export { serverMetricsUrl } from './server-metrics/server-metrics-sampler.js';
export { ENGINE_METRICS_PRESETS, KV_CACHE_METRICS } from './server-metrics/presets.js';
export { formatSampleLines } from './sample-line.js';
