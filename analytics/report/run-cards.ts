/** The headline figures at the top of report.html, from run.json's summary. */
import type { RunResult } from '../../pipeline/core/run-result.js';
import { escapeHtml } from './html-escape.js';
import { formatNumber } from './metric-rows.js';

interface Card {
  readonly label: string;
  readonly value: string;
  readonly sub: string;
}

export function runCards(result: RunResult): string {
  const s = result.summary;
  const m = s.metrics;
  const ms = (value: number | undefined) => (value === undefined ? '-' : `${formatNumber(value)} ms`);
  const cards: Card[] = [
    { label: 'Requests ok', value: `${s.requests.ok} / ${s.requests.total}`, sub: `${s.requests.error} failed, ${s.requests.dropped} dropped` },
    { label: 'Throughput', value: `${formatNumber(s.throughput.rps)} req/s`, sub: `goodput ${formatNumber(s.throughput.goodput_rps)} req/s` },
    { label: 'Output tokens', value: `${formatNumber(s.throughput.output_tps)} tok/s`, sub: `${formatNumber(s.throughput.total_tps)} tok/s with prompts` },
    { label: 'TTFT p50 / p95', value: ms(m.ttft_ms?.p50), sub: `p95 ${ms(m.ttft_ms?.p95)}, p99 ${ms(m.ttft_ms?.p99)}` },
    { label: 'ITL p50 / p95', value: ms(m.itl_ms?.p50), sub: `p95 ${ms(m.itl_ms?.p95)}` },
    { label: 'End-to-end p50 / p95', value: ms(m.total_duration_ms?.p50), sub: `p95 ${ms(m.total_duration_ms?.p95)}` },
    { label: 'Error rate', value: `${formatNumber(s.error_rate * 100)} %`, sub: Object.entries(s.errors_by_kind).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'no errors' },
  ];
  const scores = result.analysis?.scores;
  if (scores?.predictability) cards.push({ label: 'Predictability', value: `${scores.predictability.score.toFixed(0)} / 100`, sub: 'tail ratio and CV of e2e' });
  if (scores?.responsiveness) cards.push({ label: 'Responsiveness', value: `${scores.responsiveness.score.toFixed(0)} / 100`, sub: 'TTFT p95 and ITL jitter' });
  return `<div class="cards">\n${cards
    .map((card) => `<div class="card"><div class="label">${escapeHtml(card.label)}</div><div class="value">${escapeHtml(card.value)}</div><div class="sub">${escapeHtml(card.sub)}</div></div>`)
    .join('\n')}\n</div>`;
}
