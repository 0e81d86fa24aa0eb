/**
 * Resources vs performance: what the hardware and the engine did, on the same time axis as TTFT and output
 * tokens/s (shared crosshair). Resource points carry the run id as a tag, so the run selection picks them too.
 * Engine metric names come from the collectors' presets (vLLM, TGI, llama.cpp, SGLang, with their older aliases),
 * so a preset change reaches the dashboard when it is regenerated.
 */
import { ENGINE_METRICS_PRESETS, KV_CACHE_METRICS, type PresetMetric } from '../../collectors/resources/server-metrics/presets.js';
import { dashboard, timeseries, type Dashboard } from './dashboard-model.js';
import { columnIn, meanSeries, tagInVariable } from './flux-snippets.js';
import { bucketVariable, datasourceVariable, runSelectionVariables } from './variables.js';

const RUNS = [tagInVariable('run_id')];

function metricNames(roles: ReadonlyArray<NonNullable<PresetMetric['role']>>): string[] {
  return Object.values(ENGINE_METRICS_PRESETS).flatMap((preset) =>
    preset.metrics.filter((metric) => metric.role !== undefined && roles.includes(metric.role)).flatMap((metric) => [metric.name, ...(metric.aliases ?? [])]),
  );
}

const engineMetric = (names: readonly string[]) => meanSeries('engine_metric', [...RUNS, columnIn('metric', names)], ['value'], ['engine', 'metric']);
const gpu = (fields: readonly string[]) => meanSeries('gpu', RUNS, fields, ['host', 'gpu']);

const ENGINE_NOTE = 'Scraped from the engine\'s Prometheus /metrics at the monitor interval (--server-metrics); Ollama has none.';
const GPU_NOTE = 'Per GPU, from NVML, nvidia-smi or a DCGM exporter (--gpu).';

export function resourcesVsPerformance(): Dashboard {
  return dashboard({
    uid: 'llmbench-resources',
    title: 'llmbench / Resources vs performance',
    description: 'GPU, host CPU and the engine\'s KV cache and queue, aligned with TTFT and output tokens/s.',
    time: { from: 'now-1h', to: 'now' },
    variables: [datasourceVariable, bucketVariable, ...runSelectionVariables(true)],
    rows: [
      {
        height: 7,
        panels: [
          timeseries({ title: 'TTFT p50 / p95 per window', description: 'From llm_window points (per stage).', unit: 'ms', min: 0, queries: [meanSeries('llm_window', RUNS, ['ttft_p50_ms', 'ttft_p95_ms'], ['run_id', 'stage'])] }),
          timeseries({ title: 'Output tokens/s', description: 'From llm_window points (per stage).', unit: 'suffix: tok/s', min: 0, queries: [meanSeries('llm_window', RUNS, ['output_tps'], ['run_id', 'stage'])] }),
        ],
      },
      {
        height: 7,
        panels: [
          timeseries({ title: 'GPU utilisation', description: `SM busy share. ${GPU_NOTE}`, unit: 'percent', min: 0, max: 100, queries: [gpu(['util_pct'])] }),
          timeseries({ title: 'GPU memory', description: `Used and total. ${GPU_NOTE}`, unit: 'mbytes', min: 0, queries: [gpu(['mem_used_mib', 'mem_total_mib'])] }),
        ],
      },
      {
        height: 7,
        panels: [
          timeseries({ title: 'GPU power', description: `Draw and limit. ${GPU_NOTE}`, unit: 'watt', min: 0, queries: [gpu(['power_w', 'power_limit_w'])] }),
          timeseries({ title: 'GPU temperature', description: GPU_NOTE, unit: 'celsius', queries: [gpu(['temp_c'])] }),
        ],
      },
      {
        height: 7,
        panels: [
          timeseries({ title: 'Host CPU', description: 'All cores together (100 = every core busy).', unit: 'percent', min: 0, max: 100, queries: [meanSeries('host', RUNS, ['cpu_pct'], ['host'])] }),
          timeseries({ title: 'Host CPU per core', description: 'One series per core.', unit: 'percent', min: 0, max: 100, queries: [meanSeries('host_cpu', RUNS, ['cpu_pct'], ['host', 'core'])] }),
          timeseries({
            title: 'Client and engine process CPU',
            description: 'The benchmark client itself (role=client: is it the bottleneck?) and a local engine process tree (--engine-pid / --engine-process). 100 = one core.',
            unit: 'percent',
            min: 0,
            queries: [meanSeries('process', RUNS, ['cpu_pct'], ['host', 'role'])],
          }),
        ],
      },
      {
        height: 7,
        panels: [
          timeseries({ title: 'Engine KV-cache usage', description: `The fullest KV cache (0–1). ${ENGINE_NOTE}`, unit: 'percentunit', min: 0, max: 1, queries: [engineMetric(KV_CACHE_METRICS)] }),
          timeseries({
            title: 'Engine queue and running requests',
            description: `Requests waiting in the engine's queue and requests it is running. ${ENGINE_NOTE}`,
            unit: 'short',
            min: 0,
            queries: [engineMetric(metricNames(['waiting'])), engineMetric(metricNames(['running', 'batch_size']))],
          }),
        ],
      },
    ],
  });
}
