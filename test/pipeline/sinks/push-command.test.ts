/** `llmbench push` end to end through commander (stdout captured, so serial). */
import test from 'ava';
import { pushCommand } from '../../../cli/commands/push.js';
import { UsageError } from '../../../pipeline/core/errors.js';
import { concurrentRecords, runResult } from './helpers/records.js';
import { writeRunDir } from './helpers/run-dir.js';
import { startScriptedInflux } from './helpers/scripted-influx.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function capture(run: () => Promise<unknown>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test.serial('push prints what it delivered and never the token', async (t) => {
  const influx = await startScriptedInflux();
  t.teardown(() => influx.close());
  const dir = await writeRunDir(concurrentRecords(4, 3), [], runResult());
  const tokenDir = await mkdtemp(join(tmpdir(), 'llmbench-tok-'));
  await writeFile(join(tokenDir, 'token'), 'cli-secret-token\n');
  const out = await capture(() =>
    pushCommand()
      .exitOverride()
      .parseAsync([dir, '--influx-url', influx.url, '--influx-org', 'o', '--influx-bucket', 'b', '--influx-token-file', join(tokenDir, 'token')], { from: 'user' }),
  );
  t.regex(out, /^pushed run run-1 to http:\/\/127\.0\.0\.1:\d+ bucket b: \d+ points \(llm_window \d+, llm_request 4, llm_token 12, llm_run 1\)\n$/);
  t.false(out.includes('cli-secret-token'));
  t.is(influx.requests.find((r) => r.path === '/api/v2/write')?.headers.authorization, 'Token cli-secret-token');
});

test.serial('push --json prints the report', async (t) => {
  const influx = await startScriptedInflux();
  t.teardown(() => influx.close());
  const dir = await writeRunDir(concurrentRecords(2, 2), [], runResult());
  const out = await capture(() =>
    pushCommand().exitOverride().parseAsync([dir, '--json', '--influx-url', influx.url, '--influx-org', 'o', '--influx-bucket', 'b'], { from: 'user' }),
  );
  const report = JSON.parse(out) as { points: Record<string, number>; written: number };
  t.is(report.points.llm_request, 2);
  t.is(report.written, influx.lines.length);
});

test.serial('push without an InfluxDB is a usage error that says how to configure one', async (t) => {
  const saved = process.env.INFLUX_URL;
  delete process.env.INFLUX_URL;
  t.teardown(() => {
    if (saved !== undefined) process.env.INFLUX_URL = saved;
  });
  const error = await t.throwsAsync(pushCommand().exitOverride().parseAsync(['/tmp/x'], { from: 'user' }), { instanceOf: UsageError });
  t.regex(error?.hint ?? '', /--influx-url URL/);
});
