/** `--gpu auto|nvml|nvidia-smi|off|PROMETHEUS_URL` as data. */
import { UsageError } from '../../../pipeline/core/errors.js';

export type GpuMode =
  | { readonly kind: 'auto' }
  | { readonly kind: 'nvml' }
  | { readonly kind: 'nvidia-smi' }
  | { readonly kind: 'off' }
  | { readonly kind: 'prometheus'; readonly url: string };

export function parseGpuMode(text: string, option = '--gpu'): GpuMode {
  const value = text.trim();
  if (value === 'auto' || value === 'nvml' || value === 'nvidia-smi' || value === 'off') return { kind: value };
  if (/^https?:\/\//i.test(value)) {
    try {
      return { kind: 'prometheus', url: new URL(value).toString() };
    } catch (cause) {
      throw new UsageError(`${option} ${value} is not a valid URL`, { cause });
    }
  }
  throw new UsageError(`${option} must be auto, nvml, nvidia-smi, off or a Prometheus/DCGM-exporter URL, got "${value}"`, {
    hint: 'e.g. --gpu http://gpu-host:9400/metrics for a DCGM exporter',
  });
}
