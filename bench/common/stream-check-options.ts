/**
 * The issue-3 check at 1 000 streams (`llmbench run --concurrency 1000 --requests 3000` against fixed 50/50 ms
 * timing) as parseArgs options, shared by the benches that run it (bench/wire, bench/intake).
 */
export const STREAM_CHECK_OPTIONS = {
  users: { type: 'string', default: '1000' },
  requests: { type: 'string', default: '3000' },
  'max-tokens': { type: 'string', default: '128' },
  'ttft-ms': { type: 'string', default: '50' },
  'itl-ms': { type: 'string', default: '50' },
} as const;
