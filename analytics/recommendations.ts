/**
 * Recommendations (DESIGN §8): concrete, numeric sentences from the analysis, each with the numbers it came
 * from. No advice without a number behind it; nothing said where nothing was measured.
 */
import type { Anomaly, Knee, Recommendation, SloAnalysis } from '../pipeline/core/analysis.js';
import type { RunResult } from '../pipeline/core/run-result.js';
import { formatPct, formatValue } from './format.js';
import { limitClause } from './slo.js';

export interface RecommendationInputs {
  readonly result: RunResult;
  readonly knee: Knee | null;
  readonly slo: SloAnalysis | null;
  readonly anomalies: readonly Anomaly[];
  /** Median prompt tokens the server counted, when it counted them. */
  readonly measuredPromptTokens: number | null;
}

export function recommend(inputs: RecommendationInputs): Recommendation[] {
  const { result, knee, slo, anomalies } = inputs;
  const out: Recommendation[] = [];
  const unit = (kind: 'concurrency' | 'rate') => (kind === 'concurrency' ? 'concurrent users' : 'req/s');

  if (knee) {
    const beyond = knee.beyond;
    out.push({
      kind: 'knee',
      text: beyond
        ? `throughput saturates at ${knee.level}; from there to ${beyond.level}, ${beyond.latency_metric} grows ×${beyond.latency_factor.toFixed(1)} for ${formatPct(beyond.throughput_gain_pct)} throughput: run at ${knee.level} or less for latency, more only for throughput`
        : `throughput saturates at ${knee.level}`,
      numbers: { knee_level: knee.level, knee_rps: knee.rps, ...(beyond ? { latency_factor: beyond.latency_factor, throughput_gain_pct: beyond.throughput_gain_pct, highest_level: beyond.level } : {}) },
    });
  }
  if (slo) {
    out.push({
      kind: 'slo',
      text: slo.bracketed
        ? `for ${slo.slos.join(' and ')}, run at most ${slo.max_level} ${unit(slo.kind)}${limitClause(slo)}`
        : slo.max_level === null
          ? `no level measured meets ${slo.slos.join(' and ')}: measure below ${slo.first_failing_level} ${unit(slo.kind)}`
          : `every level up to ${slo.max_level} ${unit(slo.kind)} meets ${slo.slos.join(' and ')}: measure higher levels to find the limit`,
      numbers: { max_level: slo.max_level, ci_low: slo.ci_low, ci_high: slo.ci_high, first_failing_level: slo.first_failing_level },
    });
  }
  for (const episode of anomalies.filter((anomaly) => anomaly.kind === 'saturation').slice(0, 1)) {
    out.push({
      kind: 'saturation',
      text: `the server saturated from ${new Date(episode.at_ms).toISOString()}: TTFT p50 ${formatValue(episode.before, 'ttft_ms')} → ${formatValue(episode.after, 'ttft_ms')} with throughput flat; lower the load or add capacity`,
      numbers: { at_ms: episode.at_ms, end_ms: episode.end_ms ?? null, before_ms: episode.before, after_ms: episode.after },
    });
  }
  const changes = anomalies.filter((anomaly) => anomaly.kind === 'change_point');
  if (changes.length > 0) {
    const worst = changes.reduce((a, b) => (Math.abs(b.magnitude_pct) > Math.abs(a.magnitude_pct) ? b : a));
    out.push({
      kind: 'anomaly',
      text: `${changes.length} change point${changes.length === 1 ? '' : 's'} in a steady load; the largest: ${worst.detail} at ${new Date(worst.at_ms).toISOString()}; look for what changed on the server then`,
      numbers: { change_points: changes.length, at_ms: worst.at_ms, before: worst.before, after: worst.after, magnitude_pct: worst.magnitude_pct },
    });
  }
  const summary = result.summary;
  // Requests the run itself cancelled when it stopped are not the server's failures: said apart.
  const cancelled = summary.errors_by_kind.cancelled ?? 0;
  const failed = summary.requests.error + summary.requests.dropped - cancelled;
  const failedShare = summary.requests.total > 0 ? failed / summary.requests.total : 0;
  if (failedShare > 0.01) {
    const kinds = Object.entries(summary.errors_by_kind).filter(([kind]) => kind !== 'cancelled').sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
    const [kind, count] = kinds[0] ?? ['unknown', 0];
    out.push({
      kind: 'errors',
      text: `${(failedShare * 100).toFixed(1)} % of requests failed, most as ${kind} (${count}); latency figures describe only the requests that succeeded`,
      numbers: { failed_share: failedShare, top_kind: kind, top_count: count ?? 0 },
    });
  }
  if (cancelled > 0 && result.status !== 'completed') {
    out.push({
      kind: 'errors',
      text: `${cancelled} requests in flight were cancelled when the run stopped (${result.abort_reason ?? result.status}); they are recorded, not counted as the server's failures here`,
      numbers: { cancelled },
    });
  }
  for (const check of result.validity.filter((item) => !item.ok)) {
    out.push({ kind: 'validity', text: `the run is invalid: ${check.name} = ${check.value === null ? '-' : Number(check.value.toFixed(4))} (limit ${check.limit}): ${check.detail}`, numbers: { value: check.value, limit: check.limit } });
  }
  const requested = typeof (result.scenario.workload as { prompt_tokens?: unknown } | undefined)?.prompt_tokens === 'number'
    ? ((result.scenario.workload as { prompt_tokens: number }).prompt_tokens)
    : null;
  const hasDataset = typeof (result.scenario.workload as { dataset?: unknown } | undefined)?.dataset === 'string';
  if (!hasDataset && requested !== null && inputs.measuredPromptTokens !== null && Math.abs(inputs.measuredPromptTokens - requested) / requested > 0.1) {
    out.push({
      kind: 'prompt_length',
      text: `prompts were ${inputs.measuredPromptTokens.toFixed(0)} tokens by the server's count, not the ${requested} asked for (${formatPct(((inputs.measuredPromptTokens - requested) / requested) * 100)}): its tokenizer differs from the synthetic prompts' estimate; prefill figures are for ${inputs.measuredPromptTokens.toFixed(0)}-token prompts`,
      numbers: { requested_prompt_tokens: requested, measured_prompt_tokens: inputs.measuredPromptTokens },
    });
  }
  return out;
}
