/** Names and units of resource series (collectors/resources: DESIGN §6 measurements and fields), for charts and tables. */

/**
 * "GPU 0 (NVIDIA H200)", "host vm", "client process", "vllm:kv_cache_usage_perc" …; a merged run's series name
 * the agent that sampled them ("client process, agent 2of4").
 */
export function resourceSeriesName(measurement: string, tags: Readonly<Record<string, string>>): string {
  const { agent, ...rest } = tags;
  const name = seriesName(measurement, rest);
  return agent ? `${name}, agent ${agent}` : name;
}

function seriesName(measurement: string, tags: Readonly<Record<string, string>>): string {
  switch (measurement) {
    case 'gpu':
      return `GPU ${tags.gpu ?? '?'}${tags.name ? ` (${tags.name})` : ''}${tags.host ? ` on ${tags.host}` : ''}`;
    case 'host':
      return words('host', tags.host);
    case 'host_cpu':
      return words('host', tags.host, 'core', tags.core ?? '?');
    case 'process':
      return `${tags.role ?? 'a'} process`;
    case 'container':
      return `container ${tags.container ?? '?'}`;
    case 'engine_metric':
      return tags.metric ?? 'engine metric';
    default:
      return [measurement, ...Object.values(tags)].join(' ');
  }
}

/** The unit a field's name carries (DESIGN: units in names). */
export function fieldUnit(field: string): string {
  const suffixes: ReadonlyArray<readonly [string, string]> = [
    ['_pct', '%'],
    ['_mib', 'MiB'],
    ['_bytes', 'bytes'],
    ['_bps', 'B/s'],
    ['_w', 'W'],
    ['_c', '°C'],
    ['_mhz', 'MHz'],
    ['_ms', 'ms'],
    ['_mj', 'mJ'],
  ];
  return suffixes.find(([suffix]) => field.endsWith(suffix))?.[1] ?? '';
}

/** The defined parts, one space apart. */
export function words(...parts: ReadonlyArray<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== '').join(' ');
}
