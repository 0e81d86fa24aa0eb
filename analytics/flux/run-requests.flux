// A run's requests back as rows: one row per llm_request point, its fields as columns.
// analytics/flux-source.ts rebuilds RequestRecord objects from these rows (with run-tokens.flux).
// params: bucket, run_id, start, stop
from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_request" and r.run_id == params.run_id)
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
