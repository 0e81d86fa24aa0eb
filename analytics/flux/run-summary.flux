// A run's llm_run point (written once, at its end) as one row: status, validity, the headline numbers, and
// run.json itself in the run_json fields. analytics/flux-run.ts rebuilds the RunResult from it.
// params: bucket, run_id, start, stop
from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_run" and r.run_id == params.run_id)
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
