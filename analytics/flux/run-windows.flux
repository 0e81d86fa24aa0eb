// A run's 1 s windows (llm_window points, one series per stage) as rows, their fields as columns: the windows the
// run handed out, for the analyses that read them (anomalies, saturation, correlation, output_tps intervals).
// params: bucket, run_id, start, stop
from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_window" and r.run_id == params.run_id)
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
