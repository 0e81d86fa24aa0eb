/** The compare page as text (no browser): verdicts per metric from the Comparison, both sides' CDFs overlaid. */
import test from 'ava';
import { BASE_COLOR, CAND_COLOR, renderCompareHtml } from '../../../analytics/report/compare-html.js';
import { renderCompareHtml as fromHtmlModule } from '../../../analytics/report/html.js';
import { chartData } from './helpers/chart-data.js';
import { syntheticComparison } from './helpers/synthetic-comparison.js';

test('an overlay per per-request metric, base and candidate on one axis, titled with its verdict', (t) => {
  const { comparison, base, cand } = syntheticComparison({ repeats: 2 });
  const html = renderCompareHtml(comparison, base, cand);
  const { charts } = chartData(html);
  t.deepEqual(charts.map((chart) => chart.id), ['compare-ttft_ms', 'compare-itl_ms', 'compare-tpot_ms', 'compare-total_duration_ms', 'compare-throughput']);
  const ttft = charts[0]!;
  t.is(ttft.title, 'Time to first token: regressed');
  t.deepEqual(ttft.series.map((series) => series.color), [BASE_COLOR, CAND_COLOR]);
  t.deepEqual(ttft.series.map((series) => series.label), ['base (vllm)', 'candidate (sglang)']);
  t.regex(ttft.note, /^p50 300\.0 ms → 390\.0 ms: \+30\.00 % \(95 % CI \+27\.00 … \+33\.00 %\), p < 0\.001: regressed \(gated\)/);
  // Each side pools its repeats' ok requests.
  const okPerSide = (side: typeof base) => side.reduce((sum, run) => sum + run.result.summary.requests.ok, 0);
  t.regex(ttft.note, new RegExp(`base \\(vllm\\): ${okPerSide(base)} ok requests`));
  t.regex(ttft.note, new RegExp(`candidate \\(sglang\\): ${okPerSide(cand)} ok requests`));
  // Both curves reach 1: every row belongs to one of them.
  const [xs, a, b] = ttft.data as [number[], Array<number | null>, Array<number | null>];
  t.true(xs.every((_, i) => (a[i] === null) !== (b[i] === null)));
  t.is(Math.max(...(a.filter((v) => v !== null) as number[])), 1);
  t.is(Math.max(...(b.filter((v) => v !== null) as number[])), 1);
  const throughput = charts.at(-1)!;
  t.deepEqual(throughput.series.map((series) => series.label), ['base base-1', 'base base-2', 'candidate cand-1', 'candidate cand-2']);
});

test('the verdict table: every metric, gated or not, with its verdict', (t) => {
  const { comparison, base, cand } = syntheticComparison();
  const html = renderCompareHtml(comparison, base, cand);
  for (const [name, m] of Object.entries(comparison.metrics)) {
    t.regex(html, new RegExp(`<td><code>${name}</code></td><td>${m.gated ? 'yes' : 'no'}</td>.*<td class="verdict-${m.verdict}">${m.verdict}`));
  }
  t.regex(html, /<span class="badge bad">regressed<\/span>/);
  t.regex(html, /Overall: regressed on 4 gated metrics/);
  t.is(fromHtmlModule, renderCompareHtml, 'html.ts exports it too');
});

test('names from the runs are escaped', (t) => {
  const hostile = '</script><b onmouseover=alert(1)>m';
  const { comparison, base, cand } = syntheticComparison({ candModel: hostile });
  const html = renderCompareHtml(comparison, base, cand);
  t.false(html.includes(hostile));
  t.true(html.includes('&lt;/script&gt;&lt;b onmouseover=alert(1)&gt;m'));
  t.is(html.match(/<script\b/gi)?.length, 3);
});
