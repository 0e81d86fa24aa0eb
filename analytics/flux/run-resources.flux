// A run's resource samples (gpu, host, host_cpu, process, engine_metric: every measurement tagged with the run
// that is not one of llmbench's own llm_* ones) as rows, one table per series, fields as columns.
// params: bucket, run_id, start, stop
from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r.run_id == params.run_id and r._measurement !~ /^llm_/)
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
