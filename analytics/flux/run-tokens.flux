// A run's token events (one llm_token point per content chunk) as rows: the chunk logs of its requests.
// params: bucket, run_id, start, stop
from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_token" and r.run_id == params.run_id)
    |> filter(fn: (r) => r._field == "request_id" or r._field == "index" or r._field == "tokens" or r._field == "offset_ms")
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    |> keep(columns: ["_time", "stage", "request_id", "index", "tokens", "offset_ms"])
