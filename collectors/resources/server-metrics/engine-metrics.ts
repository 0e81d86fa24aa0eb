/**
 * Parsed `/metrics` families + a preset → one value per preset metric (labels folded as the preset says).
 * Pure, so it is tested on captured pages (a real llama-server's among them).
 */
import { sampleValue, type PrometheusFamily } from '../prometheus-text.js';
import { ENGINE_METRICS_PRESETS, type EngineMetricsPreset, type PresetMetric } from './presets.js';

export interface EngineMetricValue {
  /** The name the engine used (an alias when the engine is older). */
  readonly metric: string;
  readonly value: number;
  readonly type: PresetMetric['type'];
}

export function engineMetricValues(families: readonly PrometheusFamily[], preset: EngineMetricsPreset): EngineMetricValue[] {
  const byName = new Map(families.map((family) => [family.name, family]));
  const values: EngineMetricValue[] = [];
  for (const metric of preset.metrics) {
    for (const name of [metric.name, ...(metric.aliases ?? [])]) {
      const family = byName.get(name) ?? (name.endsWith('_total') ? byName.get(name.slice(0, -'_total'.length)) : undefined);
      const combined = family ? combine(family, metric.combine) : undefined;
      if (combined === undefined) continue;
      values.push({ metric: name, value: combined, type: metric.type });
      break;
    }
  }
  return values;
}

function combine(family: PrometheusFamily, how: 'sum' | 'max'): number | undefined {
  let result: number | undefined;
  for (const sample of family.metrics) {
    const value = sampleValue(sample);
    if (value === undefined) continue;
    result = result === undefined ? value : how === 'sum' ? result + value : Math.max(result, value);
  }
  return result;
}

/**
 * Only the lines of the preset's metrics (and their HELP/TYPE comments). A vLLM page is tens of KB, mostly
 * histogram buckets the preset does not use; dropping them before parsing halves the scrape's CPU.
 */
export function presetLines(text: string, preset: EngineMetricsPreset): string {
  const wanted = new Set(
    preset.metrics.flatMap((metric) => [metric.name, ...(metric.aliases ?? [])]).flatMap((name) => (name.endsWith('_total') ? [name, name.slice(0, -6)] : [name])),
  );
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    let name: string;
    if (line.startsWith('#')) name = line.split(' ', 3)[2] ?? '';
    else {
      const brace = line.indexOf('{');
      const space = line.indexOf(' ');
      name = line.slice(0, brace >= 0 && (space < 0 || brace < space) ? brace : space);
    }
    if (wanted.has(name)) kept.push(line);
  }
  return kept.join('\n');
}

/** The engine whose metric prefix most families carry (for an `openai` target that is really vLLM, say). */
export function detectPreset(families: readonly PrometheusFamily[]): EngineMetricsPreset | undefined {
  let best: { preset: EngineMetricsPreset; count: number } | undefined;
  for (const preset of Object.values(ENGINE_METRICS_PRESETS)) {
    const count = families.filter((family) => family.name.startsWith(preset.prefix)).length;
    if (count > 0 && (!best || count > best.count)) best = { preset, count };
  }
  return best?.preset;
}
