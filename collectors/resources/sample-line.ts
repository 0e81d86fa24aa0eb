/**
 * One human line per sampled batch, for `llmbench monitor` without --out. Pure formatting; the CLI prints.
 */
import type { Point } from '../../pipeline/core/point.js';

export function formatSampleLines(points: readonly Point[]): string[] {
  const lines: string[] = [];
  const cores = points.filter((point) => point.measurement === 'host_cpu');
  const metrics = points.filter((point) => point.measurement === 'engine_metric');
  for (const point of points) {
    const f = point.fields;
    switch (point.measurement) {
      case 'host':
        lines.push(
          join(time(point), 'host', pct('cpu', f.cpu_pct), ratio('mem', f.mem_used_bytes, f.mem_total_bytes, bytes),
            pair('net rx', f.net_rx_bps, 'tx', f.net_tx_bps, rate), pair('disk r', f.disk_read_bps, 'w', f.disk_write_bps, rate),
            cores.length > 0 ? `cores ${cores.map((core) => num(core.fields.cpu_pct, 0)).join('/')}%` : undefined),
        );
        break;
      case 'gpu':
        lines.push(
          join(time(point), `gpu${point.tags.gpu} ${point.tags.name ?? ''}`.trim(), pct('util', f.util_pct),
            ratio('mem', f.mem_used_mib, f.mem_total_mib, (v) => `${num(v, 0)} MiB`), unit(f.power_w, 'W', 1), unit(f.temp_c, '°C', 0),
            unit(f.sm_clock_mhz, 'MHz sm', 0), f.throttle_reasons && f.throttle_reasons !== 'none' ? `throttle ${f.throttle_reasons}` : undefined),
        );
        break;
      case 'process':
        lines.push(
          join(time(point), point.tags.role === 'engine' ? `engine pid ${f.pid}` : 'client', pct('cpu', f.cpu_pct),
            typeof f.rss_bytes === 'number' ? `rss ${bytes(f.rss_bytes)}` : undefined,
            typeof f.event_loop_utilization_pct === 'number' ? `loop busy ${num(f.event_loop_utilization_pct, 0)}%` : undefined,
            typeof f.event_loop_delay_ms === 'number' ? `delay p99 ${num(f.event_loop_delay_ms, 1)} ms` : undefined,
            typeof f.processes === 'number' && f.processes > 1 ? `${f.processes} procs` : undefined),
        );
        break;
      case 'container':
        lines.push(
          join(time(point), `container ${point.tags.container}`, pct('cpu', f.cpu_pct), ratio('mem', f.mem_used_bytes, f.mem_limit_bytes, bytes),
            pair('net rx', f.net_rx_bps, 'tx', f.net_tx_bps, rate)),
        );
        break;
      default:
        break;
    }
  }
  if (metrics.length > 0) {
    const first = metrics[0]!;
    lines.push(join(time(first), first.tags.engine ?? 'engine', ...metrics.map((m) => `${(m.tags.metric ?? '').replace(/^[a-z]+[:_]/, '')} ${num(m.fields.value, 3)}`)));
  }
  return lines;
}

function join(...parts: Array<string | undefined>): string {
  return parts.filter((part) => part !== undefined && part !== '').join('  ');
}

function time(point: Point): string {
  return new Date(point.time_ms).toISOString().slice(11, 23);
}

function num(value: unknown, digits: number): string {
  return typeof value === 'number' ? String(+value.toFixed(digits)) : '–';
}

function pct(label: string, value: unknown): string | undefined {
  return typeof value === 'number' ? `${label} ${num(value, 1)}%` : undefined;
}

function unit(value: unknown, suffix: string, digits: number): string | undefined {
  return typeof value === 'number' ? `${num(value, digits)} ${suffix}` : undefined;
}

function ratio(label: string, used: unknown, total: unknown, show: (value: number) => string): string | undefined {
  if (typeof used !== 'number') return undefined;
  return `${label} ${show(used)}${typeof total === 'number' ? ` / ${show(total)}` : ''}`;
}

function pair(a: string, x: unknown, b: string, y: unknown, show: (value: number) => string): string | undefined {
  if (typeof x !== 'number' && typeof y !== 'number') return undefined;
  return `${a} ${typeof x === 'number' ? show(x) : '–'} ${b} ${typeof y === 'number' ? show(y) : '–'}`;
}

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unitIndex = 0;
  while (Math.abs(scaled) >= 1024 && unitIndex < units.length - 1) {
    scaled /= 1024;
    unitIndex++;
  }
  return `${+scaled.toFixed(unitIndex === 0 ? 0 : 1)} ${units[unitIndex]}`;
}

function rate(value: number): string {
  return `${bytes(value)}/s`;
}
