// A scenario's trend across runs: one headline number of each run (an llm_run field such as
// "ttft_p95_ms" or "output_tps"), oldest run first, with the run's status and validity beside it.
// params: bucket, scenario, field, start, stop
from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_run" and r.scenario == params.scenario)
    |> filter(fn: (r) => r._field == params.field or r._field == "valid" or r._field == "status")
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    |> group(columns: ["scenario", "engine", "model"])
    |> sort(columns: ["_time"])
