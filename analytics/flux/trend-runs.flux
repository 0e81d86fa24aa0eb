// The runs of one scenario (every scenario when params.scenario is ""), one row per llm_run point, oldest first:
// status, validity, started_at, workload_hash and the headline numbers, without run.json (the run_json fields).
// llmbench trend groups the rows by scenario and workload_hash.
// params: bucket, scenario, start, stop
from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_run" and (params.scenario == "" or r.scenario == params.scenario))
    |> filter(fn: (r) => r._field !~ /^run_json/)
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    |> group()
    |> sort(columns: ["_time"])
