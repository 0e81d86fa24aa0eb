/**
 * One time-series measurement (DESIGN §6): the shape of resources.jsonl lines and of InfluxDB points.
 * Tags are indexed and low-cardinality; fields are not (request_id is a field).
 */
export type Measurement =
  | 'llm_request'
  | 'llm_token'
  | 'llm_window'
  | 'llm_run'
  | 'llm_regression'
  | 'gpu'
  | 'host'
  | 'host_cpu'
  | 'process'
  | 'container'
  | 'engine_metric';

export type FieldValue = number | string | boolean;

export interface Point {
  readonly measurement: Measurement;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** Epoch milliseconds (float, µs resolution). */
  readonly time_ms: number;
}
