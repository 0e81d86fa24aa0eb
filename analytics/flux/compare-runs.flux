// Two runs side by side: count, mean and percentiles of one request metric (successful requests, warmup
// excluded) for a base and a candidate run, with the candidate's difference and ratio to the base.
// params: bucket, base_run_id, candidate_run_id, field, start, stop
data = from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_request")
    |> filter(fn: (r) => r.run_id == params.base_run_id or r.run_id == params.candidate_run_id)
    |> filter(fn: (r) => r.status == "ok" and r.stage != "warmup" and r._field == params.field)
    |> map(fn: (r) => ({r with role: if r.run_id == params.base_run_id then "base" else "candidate"}))
    |> group(columns: ["role", "_field"])

percentile = (tables=<-, q, name) => tables
    |> quantile(q: q, method: "exact_mean")
    |> set(key: "stat", value: name)

union(
    tables: [
        data |> count() |> toFloat() |> set(key: "stat", value: "count"),
        data |> mean() |> set(key: "stat", value: "mean"),
        data |> percentile(q: 0.5, name: "p50"),
        data |> percentile(q: 0.9, name: "p90"),
        data |> percentile(q: 0.95, name: "p95"),
        data |> percentile(q: 0.99, name: "p99"),
    ],
)
    |> group(columns: ["_field"])
    |> pivot(rowKey: ["_field", "stat"], columnKey: ["role"], valueColumn: "_value")
    |> map(fn: (r) => ({r with delta: r.candidate - r.base, ratio: if r.base != 0.0 then r.candidate / r.base else 0.0}))
