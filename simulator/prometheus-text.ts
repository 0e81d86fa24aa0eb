/**
 * Prometheus text exposition format 0.0.4, written by hand (no prom-client: the simulator must imitate other
 * servers' output byte for byte, not produce its own). Two number styles:
 * - `python`: prometheus_client (vLLM, SGLang) prints every value as a float ("3.0", "+Inf"), `le` too;
 * - `plain`: Rust's metrics exporter (TGI) and llama.cpp print integers without ".0".
 */
import type { Histogram } from './live-stats.js';

export type NumberStyle = 'python' | 'plain';
export type Labels = Readonly<Record<string, string>>;
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'untyped';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class PrometheusText {
  readonly #style: NumberStyle;
  readonly #lines: string[] = [];

  constructor(style: NumberStyle) {
    this.#style = style;
  }

  /** HELP (when given) and TYPE lines for a metric family. */
  family(name: string, type: MetricType, help?: string): this {
    if (help !== undefined) this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(`${name}${formatLabels(labels)} ${this.number(value)}`);
    return this;
  }

  /** A whole family with one sample: the common case. */
  single(name: string, type: MetricType, help: string | undefined, labels: Labels, value: number): this {
    return this.family(name, type, help).sample(name, labels, value);
  }

  /** `_bucket` per bound plus +Inf, `_sum`, `_count`, under one HELP/TYPE (the caller writes the family). */
  histogramSamples(name: string, labels: Labels, histogram: Histogram): this {
    const cumulative = histogram.cumulative();
    histogram.bounds.forEach((bound, i) => this.sample(`${name}_bucket`, { ...labels, le: this.number(bound) }, cumulative[i]!));
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, cumulative[cumulative.length - 1]!);
    this.sample(`${name}_sum`, labels, histogram.sum);
    this.sample(`${name}_count`, labels, histogram.count);
    return this;
  }

  number(value: number): string {
    if (value === Number.POSITIVE_INFINITY) return '+Inf';
    if (value === Number.NEGATIVE_INFINITY) return '-Inf';
    if (Number.isNaN(value)) return 'NaN';
    if (this.#style === 'python' && Number.isInteger(value) && Math.abs(value) < 1e16) return value.toFixed(1);
    return String(value);
  }

  toString(): string {
    return this.#lines.length > 0 ? `${this.#lines.join('\n')}\n` : '';
  }
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
