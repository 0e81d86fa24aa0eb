/**
 * docker-compose.yml (DESIGN §10) validates against the Compose Specification's JSON schema (the one
 * `docker compose` embeds, test/fixtures/compose-spec/), and has what the stack needs: InfluxDB 2.7 in setup
 * mode from .env, a pinned Grafana with the provisioning mounted, health checks everywhere, the engine
 * profiles with their GPU reservations, and the llmbench image built from the Dockerfile. There is no Docker
 * engine on these machines, so nothing here starts a container.
 */
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  deploy?: { resources?: { reservations?: { devices?: Array<{ driver?: string; capabilities?: string[]; count?: string | number }> } } };
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText) as { services: Record<string, Service> };
const services = compose.services;

const schema = JSON.parse(read('test/fixtures/compose-spec/compose-spec.json')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const errorsOf = (document: unknown) => (validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

test('docker-compose.yml validates against the Compose Specification schema', (t) => {
  t.deepEqual(errorsOf(compose), []);
});

test('the schema check is not vacuous: a misspelt key, a wrong type and an unknown service key fail', (t) => {
  const copy = () => structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
  const misspelt = copy();
  misspelt.services.grafana!.healthcheck = { tests: ['CMD', 'true'] };
  t.not(errorsOf(misspelt).length, 0);
  const wrongType = copy();
  wrongType.services.influxdb!.ports = 8086;
  t.not(errorsOf(wrongType).length, 0);
  const unknown = copy();
  unknown.services.llmbench!.gpu = 'all';
  t.not(errorsOf(unknown).length, 0);
});

test('every service has a health check', (t) => {
  for (const [name, service] of Object.entries(services)) {
    const check = service.healthcheck;
    t.truthy(check?.test, `${name} has no healthcheck.test`);
    t.not(check?.disable, true, name);
  }
});

test('InfluxDB 2.7 starts in setup mode with org, bucket, retention, admin and token from .env', (t) => {
  const influx = services.influxdb!;
  t.regex(influx.image ?? '', /^influxdb:2\.7(\.\d+)?$/);
  const env = influx.environment ?? {};
  t.is(env.DOCKER_INFLUXDB_INIT_MODE, 'setup');
  const fromEnv = { ORG: 'INFLUX_ORG', BUCKET: 'INFLUX_BUCKET', RETENTION: 'INFLUX_RETENTION', USERNAME: 'INFLUX_ADMIN_USER', PASSWORD: 'INFLUX_ADMIN_PASSWORD', ADMIN_TOKEN: 'INFLUX_TOKEN' };
  for (const [suffix, variable] of Object.entries(fromEnv)) t.regex(env[`DOCKER_INFLUXDB_INIT_${suffix}`] ?? '', new RegExp(`^\\$\\{${variable}[:}]`), suffix);
});

test('Grafana is a pinned release with the provisioning and the dashboards mounted where the provider reads them', (t) => {
  const grafana = services.grafana!;
  t.regex(grafana.image ?? '', /^grafana\/grafana:\d+\.\d+\.\d+$/);
  const provider = parse(read('grafana/provisioning/dashboards/llmbench.yaml')) as { providers: Array<{ options: { path: string } }> };
  const volumes = grafana.volumes ?? [];
  t.true(volumes.includes('./grafana/provisioning:/etc/grafana/provisioning:ro'));
  t.true(volumes.includes(`./grafana/dashboards:${provider.providers[0]!.options.path}:ro`), 'the provider path is where grafana/dashboards is mounted');
  t.is(grafana.depends_on?.influxdb?.condition, 'service_healthy');
});

test('Grafana gets every $VARIABLE its provisioning files use', (t) => {
  const env = services.grafana!.environment ?? {};
  for (const file of ['grafana/provisioning/datasources/influxdb.yaml', 'grafana/provisioning/dashboards/llmbench.yaml']) {
    for (const [, name] of read(file).matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)) t.truthy(env[name!], `${file} uses $${name}`);
  }
});

test('engine profiles: ollama, vllm and tgi reserve NVIDIA GPUs, llamacpp runs on the CPU', (t) => {
  for (const name of ['ollama', 'vllm', 'tgi', 'llamacpp']) t.deepEqual(services[name]?.profiles, [name], name);
  for (const name of ['ollama', 'vllm', 'tgi']) {
    const devices = services[name]!.deploy?.resources?.reservations?.devices ?? [];
    t.true(devices.some((d) => d.driver === 'nvidia' && (d.capabilities ?? []).includes('gpu')), name);
  }
  t.is(services.llamacpp!.deploy, undefined);
  // The stack itself starts with a plain `docker compose up`.
  t.is(services.influxdb!.profiles, undefined);
  t.is(services.grafana!.profiles, undefined);
});

test('the llmbench service is built from the repository Dockerfile and gets the INFLUX_* variables from .env', (t) => {
  const llmbench = services.llmbench!;
  t.deepEqual(llmbench.profiles, ['llmbench']);
  t.is(llmbench.build?.context, '.');
  t.true(existsSync(new URL(llmbench.build?.dockerfile ?? 'Dockerfile', root)));
  const env = llmbench.environment ?? {};
  t.is(env.INFLUX_URL, 'http://influxdb:8086');
  for (const name of ['INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN']) t.is(env[name], `\${${name}}`, name);
});

test('every variable docker-compose.yml needs without a default is in .env.example, so `cp .env.example .env` suffices', (t) => {
  const example = new Set([...read('.env.example').matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const needed = [...composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}/g)].filter((m) => !m[2]?.startsWith(':-')).map((m) => m[1]!);
  t.true(needed.length > 5);
  for (const name of needed) t.true(example.has(name), `${name} is missing from .env.example`);
});

test('.env is ignored by git and .env.example is not', (t) => {
  const ignored = read('.gitignore').split('\n').map((line) => line.trim());
  t.true(ignored.includes('.env'));
  t.false(ignored.some((line) => line === '.env*' || line === '.env.example'));
});

test('the Dockerfile builds in stages (npm ci, npm run build) and runs node bin/llmbench.js with the files the CLI reads', (t) => {
  const dockerfile = read('Dockerfile');
  t.true([...dockerfile.matchAll(/^FROM /gm)].length >= 2, 'multi-stage');
  t.regex(dockerfile, /^RUN npm ci\b/m);
  t.regex(dockerfile, /^RUN npm run build\b/m);
  t.regex(dockerfile, /^ENTRYPOINT \["node", "bin\/llmbench\.js"\]$/m);
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  // dist/ (the build), bin/ (the entry), package.json (the version), scenarios/ (presets), analytics/flux/ (Flux files).
  for (const path of ['dist', 'bin', 'package.json', 'node_modules', 'scenarios', 'analytics/flux']) t.regex(runtime, new RegExp(`^COPY .*\\b${path.replace('/', '\\/')}\\b`, 'm'), path);
  t.regex(runtime, /^USER node$/m);
});
