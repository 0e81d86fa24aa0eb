#!/usr/bin/env node
// A stand-in `nvidia-smi` for machines without a GPU, built on the real H200 capture: it answers
// `--query-gpu=… --format=csv,noheader,nounits -lms N` for TWO GPUs, one line per GPU every N ms, with the
// rows of test/fixtures/nvidia-smi/query_load.csv (a copy of shared/fixtures/nvidia-smi/query_load.csv) (GPU 0 takes row k, GPU 1 row k+7, cycling), printing
// exactly the requested fields in the requested order, as the real tool does. FAKE_NVIDIA_SMI_MODE=driver-down
// reproduces the real message and exit status when the driver is not loaded.
import { readFileSync } from 'node:fs';

if (process.env.FAKE_NVIDIA_SMI_MODE === 'driver-down') {
  process.stdout.write(
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
  );
  process.exit(9);
}

const csv = readFileSync(process.env.FAKE_NVIDIA_SMI_CSV, 'utf8').trim().split('\n');
const header = csv[0].split(',').map((cell) => cell.trim().replace(/\s*\[[^\]]*\]$/, ''));
const rows = csv.slice(1).map((line) => line.split(',').map((cell) => cell.trim()));
const ALIASES = {
  'clocks.sm': 'clocks.current.sm',
  'clocks.mem': 'clocks.current.memory',
  'clocks_throttle_reasons.active': 'clocks_event_reasons.active',
};

const args = process.argv.slice(2);
const query = args.find((arg) => arg.startsWith('--query-gpu='))?.slice('--query-gpu='.length).split(',');
const format = args.find((arg) => arg.startsWith('--format='));
const lmsAt = args.indexOf('-lms');
const intervalMs = lmsAt >= 0 ? Number(args[lmsAt + 1]) : undefined;
if (!query || format !== '--format=csv,noheader,nounits') {
  process.stderr.write('fake nvidia-smi: expected --query-gpu=… --format=csv,noheader,nounits\n');
  process.exit(2);
}
for (const field of query) {
  if (!header.includes(ALIASES[field] ?? field)) {
    process.stdout.write(`Field "${field}" is not a valid field to query.\n\n`);
    process.exit(2);
  }
}

let k = 0;
function printInterval() {
  const lines = [0, 1].map((gpu) => {
    const row = rows[(k + gpu * 7) % rows.length];
    return query
      .map((field) => (field === 'index' ? String(gpu) : row[header.indexOf(ALIASES[field] ?? field)]))
      .join(', ');
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  k++;
}
printInterval();
if (intervalMs !== undefined) setInterval(printInterval, intervalMs);
process.on('SIGTERM', () => process.exit(0));
