/**
 * The `agent` tag (DESIGN §6, §16): every point of a segment's run carries `agent=IofN`, so agents that share a run
 * id never write the same series, and a merged run's records land on the series their agents wrote; a run that is
 * not segmented has no `agent` tag at all.
 */
import test from 'ava';
import type { Point } from '../../../pipeline/core/point.js';
import { recordToPoints, resourcePoints, runPoint } from '../../../pipeline/sinks/points.js';
import { windowPoints } from '../../../pipeline/run/windows.js';
import { okRecord, RUN, runResult } from './helpers/records.js';

const AGENT = { ...RUN, agent: '2of4' };
const sample: Point = { measurement: 'host', tags: { host: 'agent-b' }, fields: { cpu_pct: 40 }, time_ms: 1_795_800_000_000 };

test('a segment tags its llm_request, llm_token, llm_window, resource and llm_run points with its agent', (t) => {
  const record = okRecord({ tokens: 3 });
  const points = [
    ...recordToPoints(record, AGENT),
    ...windowPoints([record], AGENT),
    ...resourcePoints([sample], AGENT.runId, AGENT.agent),
    runPoint(runResult({ segment: { index: 2, count: 4, agent: '2of4' } })),
  ];
  t.deepEqual([...new Set(points.map((point) => point.measurement))].sort(), ['host', 'llm_request', 'llm_run', 'llm_token', 'llm_window']);
  for (const point of points) t.is(point.tags.agent, '2of4', point.measurement);
});

test('an unsegmented run has no agent tag on any point', (t) => {
  const record = okRecord({ tokens: 3 });
  const points = [...recordToPoints(record, RUN), ...windowPoints([record], RUN), ...resourcePoints([sample], RUN.runId), runPoint(runResult())];
  for (const point of points) t.false('agent' in point.tags, point.measurement);
});

test("a merged run's record keeps its agent's series: the record's agent wins over the run's (which has none)", (t) => {
  const record = { ...okRecord({ tokens: 2 }), agent: '3of4' };
  for (const point of recordToPoints(record, RUN)) t.is(point.tags.agent, '3of4');
});

test('two agents of one run write different series for the same window', (t) => {
  const record = okRecord({ tokens: 2 });
  const [a] = windowPoints([record], { ...RUN, agent: '1of2' });
  const [b] = windowPoints([record], { ...RUN, agent: '2of2' });
  t.is(a!.time_ms, b!.time_ms);
  t.notDeepEqual(a!.tags, b!.tags);
});
