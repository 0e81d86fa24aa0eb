// Percentiles of one request metric per stage of a run: successful requests, warmup excluded.
// Flux has no linear-interpolation (numpy type 7) quantile, the report's definition; "exact_mean" averages
// the two values nearest the quantile, so these agree with the report closely but not to the last digit.
// params: bucket, run_id, field (e.g. "ttft_ms"), start, stop
data = from(bucket: params.bucket)
    |> range(start: params.start, stop: params.stop)
    |> filter(fn: (r) => r._measurement == "llm_request" and r.run_id == params.run_id)
    |> filter(fn: (r) => r.status == "ok" and r.stage != "warmup" and r._field == params.field)
    |> group(columns: ["run_id", "stage", "_field"])

percentile = (tables=<-, q, name) => tables
    |> quantile(q: q, method: "exact_mean")
    |> set(key: "stat", value: name)

union(
    tables: [
        data |> count() |> toFloat() |> set(key: "stat", value: "count"),
        data |> mean() |> set(key: "stat", value: "mean"),
        data |> min() |> keep(columns: ["run_id", "stage", "_field", "_value"]) |> set(key: "stat", value: "min"),
        data |> percentile(q: 0.5, name: "p50"),
        data |> percentile(q: 0.9, name: "p90"),
        data |> percentile(q: 0.95, name: "p95"),
        data |> percentile(q: 0.99, name: "p99"),
        data |> max() |> keep(columns: ["run_id", "stage", "_field", "_value"]) |> set(key: "stat", value: "max"),
    ],
)
    |> pivot(rowKey: ["run_id", "stage", "_field"], columnKey: ["stat"], valueColumn: "_value")
