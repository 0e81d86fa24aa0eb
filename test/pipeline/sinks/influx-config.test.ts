import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import test from 'ava';
import { Command } from 'commander';
import { UsageError } from '../../../pipeline/core/errors.js';
import { redactUrl, resolveInfluxConfig, Secret } from '../../../pipeline/sinks/influx-config.js';
import { addInfluxOptions, influxSettingsOf } from '../../../cli/influx-options.js';

const TOKEN = 'tok-SECRET-1234567890';

async function tokenFile(contents: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-token-'));
  const path = join(dir, 'token');
  await writeFile(path, contents);
  return path;
}

test('no URL anywhere means no InfluxDB sink', async (t) => {
  t.is(await resolveInfluxConfig({}, {}), undefined);
});

test('environment variables configure everything', async (t) => {
  const config = await resolveInfluxConfig({}, { INFLUX_URL: 'http://db:8086/', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b', INFLUX_TOKEN: TOKEN });
  t.is(config?.url, 'http://db:8086');
  t.is(config?.org, 'o');
  t.is(config?.bucket, 'b');
  t.is(config?.token?.reveal(), TOKEN);
});

test('flags win over the environment and the token file is read and trimmed', async (t) => {
  const path = await tokenFile(`${TOKEN}\n`);
  const config = await resolveInfluxConfig(
    { url: 'http://flag:8086', org: 'fo', bucket: 'fb', tokenFile: path },
    { INFLUX_URL: 'http://env:8086', INFLUX_ORG: 'eo', INFLUX_BUCKET: 'eb', INFLUX_TOKEN: 'env-token' },
  );
  t.deepEqual({ url: config?.url, org: config?.org, bucket: config?.bucket }, { url: 'http://flag:8086', org: 'fo', bucket: 'fb' });
  t.is(config?.token?.reveal(), TOKEN);
});

test('a missing org and bucket name both flags and both variables', async (t) => {
  const error = await t.throwsAsync(resolveInfluxConfig({ url: 'http://db:8086' }, {}), { instanceOf: UsageError });
  t.is(error?.code, 'USAGE');
  t.is(error?.exitCode, 2);
  t.regex(error?.message ?? '', /--influx-org \(or INFLUX_ORG\) and --influx-bucket \(or INFLUX_BUCKET\)/);
});

test('influx flags without a URL are a usage error', async (t) => {
  const error = await t.throwsAsync(resolveInfluxConfig({ bucket: 'b' }, {}), { instanceOf: UsageError });
  t.regex(error?.message ?? '', /--influx-bucket given without an InfluxDB URL/);
});

test('an unreadable token file names the path, never contents', async (t) => {
  const error = await t.throwsAsync(resolveInfluxConfig({ url: 'http://db', org: 'o', bucket: 'b', tokenFile: '/nonexistent/tok' }, {}), {
    instanceOf: UsageError,
  });
  t.regex(error?.message ?? '', /\/nonexistent\/tok \(ENOENT\)/);
});

test('an empty token file is refused', async (t) => {
  const path = await tokenFile('\n  \n');
  const error = await t.throwsAsync(resolveInfluxConfig({ url: 'http://db', org: 'o', bucket: 'b', tokenFile: path }, {}));
  t.regex(error?.message ?? '', /is empty/);
});

const badUrl = test.macro(async (t, url: string, pattern: RegExp) => {
  const error = await t.throwsAsync(resolveInfluxConfig({ url: url, org: 'o', bucket: 'b' }, {}), { instanceOf: UsageError });
  t.regex(error?.message ?? '', pattern);
  t.false((error?.message ?? '').includes('hunter2'));
});
test('not a URL', badUrl, 'http://db:8086 hunter2', /is not a URL/);
test('not http', badUrl, 'ftp://db:8086', /must be http/);
test('credentials in the URL', badUrl, 'http://admin:hunter2@db:8086', /must not carry credentials/);
test('the API path instead of the base URL', badUrl, 'http://db:8086/api/v2', /base URL, not its API path/);

test('a Secret never shows its value when printed, serialised or inspected', (t) => {
  const config = { url: 'http://db', token: new Secret(TOKEN) };
  t.false(JSON.stringify(config).includes(TOKEN));
  t.false(String(config.token).includes(TOKEN));
  t.false(`${config.token}`.includes(TOKEN));
  t.false(inspect(config, { depth: 5 }).includes(TOKEN));
  t.is(config.token.reveal(), TOKEN);
});

test('redactUrl drops user info and query strings', (t) => {
  t.is(redactUrl('https://u:p@db.example:8086/?token=x'), 'https://db.example:8086');
});

test('addInfluxOptions adds the four flags to a command', async (t) => {
  let seen: Record<string, unknown> = {};
  const command = addInfluxOptions(new Command('x').exitOverride()).action((options: Record<string, unknown>) => {
    seen = options;
  });
  await command.parseAsync(['--influx-url', 'http://db', '--influx-org', 'o', '--influx-bucket', 'b', '--influx-token-file', '/t'], { from: 'user' });
  t.deepEqual(seen, { influxUrl: 'http://db', influxOrg: 'o', influxBucket: 'b', influxTokenFile: '/t' });
  t.deepEqual(influxSettingsOf(seen), { url: 'http://db', org: 'o', bucket: 'b', tokenFile: '/t' });
});
