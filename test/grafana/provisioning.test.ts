/**
 * grafana/provisioning/ has the shapes Grafana documents for provisioning files (apiVersion 1;
 * administration/provisioning: data sources and dashboard providers), with the InfluxDB datasource in Flux
 * mode and its token in secureJsonData from the environment.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const read = (path: string) => parse(readFileSync(new URL(`../../grafana/provisioning/${path}`, import.meta.url), 'utf8')) as unknown;

/** A provisioned data source: the keys Grafana's provisioning reads (strict: a misspelt key is an error here, silently ignored there). */
const Datasource = z.strictObject({
  name: z.string().min(1),
  type: z.string(),
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/).optional(),
  access: z.enum(['proxy', 'direct']),
  orgId: z.number().int().optional(),
  url: z.url(),
  user: z.string().optional(),
  database: z.string().optional(),
  basicAuth: z.boolean().optional(),
  basicAuthUser: z.string().optional(),
  withCredentials: z.boolean().optional(),
  isDefault: z.boolean().optional(),
  version: z.number().int().optional(),
  editable: z.boolean().optional(),
  jsonData: z.record(z.string(), z.unknown()).optional(),
  secureJsonData: z.record(z.string(), z.string()).optional(),
});

const DatasourcesFile = z.strictObject({
  apiVersion: z.literal(1),
  deleteDatasources: z.array(z.strictObject({ name: z.string(), orgId: z.number().int() })).optional(),
  datasources: z.array(Datasource).min(1),
});

const DashboardsFile = z.strictObject({
  apiVersion: z.literal(1),
  providers: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        orgId: z.number().int().optional(),
        folder: z.string().optional(),
        folderUid: z.string().optional(),
        type: z.literal('file'),
        disableDeletion: z.boolean().optional(),
        allowUiUpdates: z.boolean().optional(),
        updateIntervalSeconds: z.number().int().positive().optional(),
        options: z.strictObject({ path: z.string().startsWith('/'), foldersFromFilesStructure: z.boolean().optional() }),
      }),
    )
    .min(1),
});

test('the datasource file has Grafana\'s provisioning shape', (t) => {
  const parsed = DatasourcesFile.safeParse(read('datasources/influxdb.yaml'));
  t.true(parsed.success, parsed.error?.message);
});

test('the InfluxDB datasource is in Flux mode with org, default bucket and token from the environment', (t) => {
  const { datasources } = DatasourcesFile.parse(read('datasources/influxdb.yaml'));
  const influx = datasources.find((d) => d.type === 'influxdb');
  t.truthy(influx);
  t.is(influx!.access, 'proxy');
  t.is(influx!.url, 'http://influxdb:8086', 'the compose service name');
  t.is(influx!.jsonData?.version, 'Flux');
  t.is(influx!.jsonData?.organization, '${INFLUX_ORG}');
  t.is(influx!.jsonData?.defaultBucket, '${INFLUX_BUCKET}');
  t.deepEqual(influx!.secureJsonData, { token: '${INFLUX_TOKEN}' });
  t.false(JSON.stringify(influx!.jsonData).includes('token'), 'the token is only in secureJsonData');
});

test('the dashboards provider has Grafana\'s provisioning shape: a file provider with a path', (t) => {
  const parsed = DashboardsFile.safeParse(read('dashboards/llmbench.yaml'));
  t.true(parsed.success, parsed.error?.message);
  t.is(parsed.data?.providers[0]?.type, 'file');
});

test('the shapes reject what Grafana would not read', (t) => {
  t.false(DatasourcesFile.safeParse({ apiVersion: 1, datasources: [{ name: 'x', type: 'influxdb', access: 'proxy', url: 'http://x', jsonDatas: {} }] }).success);
  t.false(DatasourcesFile.safeParse({ apiVersion: 2, datasources: [{ name: 'x', type: 'influxdb', access: 'proxy', url: 'http://x' }] }).success);
  t.false(DashboardsFile.safeParse({ apiVersion: 1, providers: [{ name: 'x', type: 'file', options: {} }] }).success);
  t.false(DashboardsFile.safeParse({ apiVersion: 1, providers: [{ name: 'x', type: 'files', options: { path: '/x' } }] }).success);
});
