/**
 * Live run: one run as it goes. The 1 s `llm_window` aggregates are exact but written once, when final, so
 * they trail the run by about the longest request still in flight; the panels marked "live" aggregate the
 * `llm_request` points instead (written as each request ends, stamped at its send time), which trail by one
 * request's duration.
 */
import { dashboard, stat, timeseries, type Dashboard } from './dashboard-model.js';
import { filter, FROM_RANGE, meanSeries, MEASURED_REQUESTS, PER_SECOND, pipe, tagIs } from './flux-snippets.js';
import { bucketVariable, datasourceVariable, runSelectionVariables } from './variables.js';

const RUN = [tagIs('run_id')];

// Per stage and, in a run spread over agents (DESIGN §16), per agent: each agent's windows are its share of the run.
const windows = (fields: readonly string[]) => meanSeries('llm_window', RUN, fields, ['stage', 'agent']);

const WINDOW_NOTE = 'From the 1 s llm_window points (written once each, when final: they trail the run by about its longest request in flight). A pixel that covers several windows shows their mean. A run spread over agents shows one series per agent (its share); the live panels from llm_request points show the whole run.';

const requestsByStatus = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_request"', ...RUN, 'r._field == "request_id"'),
  'group(columns: ["status"])',
  'count()',
  'map(fn: (r) => ({r with row: "requests"}))',
  'group()',
  'pivot(rowKey: ["row"], columnKey: ["status"], valueColumn: "_value")',
  'drop(columns: ["row"])',
);

const sentPerSecond = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_request"', ...RUN, 'r._field == "request_id"'),
  'group(columns: ["_measurement", "_field", "status"])',
  'aggregateWindow(every: v.windowPeriod, fn: count, createEmpty: false)',
  PER_SECOND,
  'set(key: "_field", value: "requests")',
);

/** Each failed or dropped request counts once under its error_kind (a field, so it is turned into the series name). */
const errorsByKind = pipe(
  FROM_RANGE,
  filter('r._measurement == "llm_request"', ...RUN, 'r._field == "error_kind"'),
  'map(fn: (r) => ({_time: r._time, _start: r._start, _stop: r._stop, _measurement: "errors", _field: r._value, _value: 1.0}))',
  'group(columns: ["_measurement", "_field"])',
  'aggregateWindow(every: v.windowPeriod, fn: sum, createEmpty: false)',
  PER_SECOND,
);

const liveTtft = (q: number, name: string) =>
  pipe(
    FROM_RANGE,
    filter('r._measurement == "llm_request"', ...RUN, ...MEASURED_REQUESTS, 'r._field == "ttft_ms"'),
    'group(columns: ["_measurement", "_field"])',
    `aggregateWindow(every: v.windowPeriod, fn: (column, tables=<-) => tables |> quantile(q: ${q}, method: "estimate_tdigest", column: column), createEmpty: false)`,
    `set(key: "_field", value: "${name}")`,
  );

export function liveRun(): Dashboard {
  return dashboard({
    uid: 'llmbench-live-run',
    title: 'llmbench / Live run',
    description: 'One run as it goes: throughput, in-flight requests, TTFT and ITL per 1 s window, errors by kind, schedule lag.',
    time: { from: 'now-15m', to: 'now' },
    refresh: '5s',
    variables: [datasourceVariable, bucketVariable, ...runSelectionVariables(false)],
    rows: [
      {
        height: 4,
        panels: [
          stat({
            title: 'Requests by status (live)',
            description: 'Every request that was due has one llm_request point: ok, error or dropped (an open-loop arrival that found max_in_flight full).',
            unit: 'short',
            queries: [requestsByStatus],
          }),
        ],
      },
      {
        height: 8,
        panels: [
          timeseries({ title: 'Completed requests/s', description: `Successful requests completed per second, per stage. ${WINDOW_NOTE}`, unit: 'reqps', min: 0, queries: [windows(['rps'])] }),
          timeseries({ title: 'Output tokens/s', description: `Output tokens that arrived per second (chunk arrival times). ${WINDOW_NOTE}`, unit: 'suffix: tok/s', min: 0, queries: [windows(['output_tps'])] }),
          timeseries({ title: 'Requests in flight', description: `Requests sent but not finished at each window's end. ${WINDOW_NOTE}`, unit: 'short', min: 0, queries: [windows(['in_flight'])] }),
        ],
      },
      {
        height: 8,
        panels: [
          timeseries({ title: 'TTFT p50 / p95 per window', description: `Time to first token of the ok requests that completed in each window. ${WINDOW_NOTE}`, unit: 'ms', min: 0, queries: [windows(['ttft_p50_ms', 'ttft_p95_ms'])] }),
          timeseries({ title: 'ITL p50 / p95 per window', description: `Per-request mean inter-token latency of the ok requests that completed in each window. ${WINDOW_NOTE}`, unit: 'ms', min: 0, queries: [windows(['itl_p50_ms', 'itl_p95_ms'])] }),
        ],
      },
      {
        height: 8,
        panels: [
          timeseries({
            title: 'Errors by kind (live)',
            description: 'Failed and dropped requests per second by error_kind (http_4xx, http_5xx, overloaded, timeout_*, connection_*, protocol, cancelled, dropped), at each request\'s send time. From llm_request points.',
            unit: 'reqps',
            min: 0,
            bars: true,
            queries: [errorsByKind],
          }),
          timeseries({ title: 'Errors and drops per window', description: `Requests that ended in an error, and arrivals dropped, per 1 s window. ${WINDOW_NOTE}`, unit: 'short', min: 0, queries: [windows(['errors', 'dropped'])] }),
          timeseries({
            title: 'Schedule lag p95 per window',
            description: `How late requests were sent against their schedule (t_send − t_intended), p95 of the requests sent in each window: the client's own health. ${WINDOW_NOTE}`,
            unit: 'ms',
            min: 0,
            queries: [windows(['schedule_lag_p95_ms'])],
          }),
        ],
      },
      {
        height: 8,
        panels: [
          timeseries({
            title: 'TTFT p50 / p95 (live)',
            description: 'TTFT of successful, non-warmup requests by send time, from llm_request points (t-digest estimate per Grafana interval). Most current: a request appears as soon as it ends.',
            unit: 'ms',
            min: 0,
            queries: [liveTtft(0.5, 'ttft_p50_ms'), liveTtft(0.95, 'ttft_p95_ms')],
          }),
          timeseries({ title: 'Requests sent/s by status (live)', description: 'Requests per second by send time and final status, from llm_request points.', unit: 'reqps', min: 0, queries: [sentPerSecond] }),
        ],
      },
    ],
  });
}
