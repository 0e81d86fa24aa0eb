import { startVictoriaMetrics } from './bench/sink/victoria-metrics.js';
import { createInfluxHttp } from './pipeline/sinks/influx-http.js';
import { recordToPoints } from './pipeline/sinks/points.js';
import { SeriesTimestamps } from './pipeline/sinks/unique-timestamps.js';
import { LineEncoder } from './pipeline/sinks/line-protocol.js';
import { okRecord, RUN } from './test/pipeline/sinks/helpers/records.js';
const vm = await startVictoriaMetrics();
const now = Date.now() - 100000;
const recs = Array.from({ length: 6000 }, (_, i) => okRecord({ requestId: 'r' + i, sendMs: now + i, tokens: 16 }));
const ts = new SeriesTimestamps(); const enc = new LineEncoder();
const lines = recs.flatMap((r) => recordToPoints(r, RUN)).map((p) => enc.encode(p, ts.assign(p))!);
for (const gz of [1000, 1e12]) {
  const http = createInfluxHttp({ url: vm.url, org: 'o', bucket: 'b' }, { gzipThresholdBytes: gz });
  const t = performance.now(); const c = process.cpuUsage();
  for (let i = 0; i + 5000 <= lines.length; i += 5000) { const r = await http.write(lines.slice(i, i + 5000).join('\n')); if (!r.ok) console.log(r); }
  const n = Math.floor(lines.length / 5000) * 5000;
  const cu = process.cpuUsage(c);
  console.log('gzip', gz, 'pts/s', Math.round(n / ((performance.now() - t) / 1000)), 'cpu us/pt', ((cu.user + cu.system) / n).toFixed(2));
  http.close();
}
// raw fetch
const body = lines.slice(0, 5000).join('\n');
let t = performance.now();
for (let i = 0; i < 10; i++) await fetch(`${vm.url}/api/v2/write?org=o&bucket=b&precision=ns`, { method: 'POST', body });
console.log('fetch no gzip pts/s', Math.round(50000 / ((performance.now() - t) / 1000)));
await vm.dispose();
