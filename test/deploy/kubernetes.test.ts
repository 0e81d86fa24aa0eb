/**
 * deploy/kubernetes/ (DESIGN §16): every manifest validates against the Kubernetes JSON schemas (npm
 * kubernetes-models 4.x; its schemas allow unknown keys, so the keys the design depends on are asserted too), the
 * pieces refer to each other by the right names, the scenario in the ConfigMap is a valid scenario, and the
 * containers' shell scripts do what they say: run under sh with a stand-in `node`, they agree on one start time,
 * give pod I the segment I/N, and merge every segment once all have ended.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, PersistentVolumeClaim, Secret } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { scenarioProblems } from '../../pipeline/scenario/validate.js';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };
type Container = { name: string; command: string[]; envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }>; volumeMounts?: Array<{ name: string; mountPath: string }> };
type PodSpec = { restartPolicy: string; initContainers?: Container[]; containers: Container[]; volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }> };
type JobSpec = { completionMode?: string; completions?: number; parallelism?: number; backoffLimit?: number; backoffLimitPerIndex?: number; template: { spec: PodSpec } };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'batch/v1/Job': Job,
};

async function manifests(): Promise<Array<{ file: string; manifest: Manifest }>> {
  const files = (await readdir(DIR)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const out: Array<{ file: string; manifest: Manifest }> = [];
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(join(DIR, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      out.push({ file, manifest: document.toJS() as Manifest });
    }
  }
  return out;
}

const byKind = async (kind: string, name: string) => {
  const found = (await manifests()).find(({ manifest }) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes/`);
  return found.manifest;
};
const script = (container: Container) => container.command[2]!;

test('every manifest validates against its Kubernetes JSON schema', async (t) => {
  const all = await manifests();
  t.deepEqual(all.map(({ manifest }) => `${manifest.kind}/${manifest.metadata.name}`).sort(), [
    'ConfigMap/llmbench-run', 'Job/llmbench-agents', 'Job/llmbench-merge', 'PersistentVolumeClaim/llmbench-runs', 'Secret/llmbench-influxdb',
  ]);
  for (const { file, manifest } of all) {
    const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
    if (!Model) return t.fail(`${file}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
    t.notThrows(() => new Model(manifest as never).validate(), file);
  }
});

test('the schema check can fail: a wrong completionMode or restartPolicy is rejected', async (t) => {
  const agents = await byKind('Job', 'llmbench-agents');
  const broken = structuredClone(agents) as unknown as { spec: JobSpec };
  broken.spec.completionMode = 'Indexd';
  t.throws(() => new Job(broken as never).validate(), { message: /completionMode/ });
  const restart = structuredClone(agents) as unknown as { spec: JobSpec };
  restart.spec.template.spec.restartPolicy = 'Sometimes';
  t.throws(() => new Job(restart as never).validate(), { message: /restartPolicy/ });
});

test('the agents are an Indexed Job of SEGMENTS pods, each its segment, sharing the run, the InfluxDB Secret and the volume', async (t) => {
  const config = (await byKind('ConfigMap', 'llmbench-run')) as unknown as { data: Record<string, string> };
  const agents = (await byKind('Job', 'llmbench-agents')) as unknown as { spec: JobSpec };
  const merge = (await byKind('Job', 'llmbench-merge')) as unknown as { spec: JobSpec };
  const pvc = await byKind('PersistentVolumeClaim', 'llmbench-runs');
  const segments = Number(config.data.SEGMENTS);
  t.is(agents.spec.completionMode, 'Indexed');
  t.is(agents.spec.completions, segments);
  t.is(agents.spec.parallelism, segments, 'all agents at once: they share one start');
  t.is(agents.spec.backoffLimitPerIndex, 0);
  t.is(merge.spec.backoffLimit, 0);
  const pod = agents.spec.template.spec;
  t.is(pod.restartPolicy, 'Never');
  const agent = pod.containers[0]!;
  t.regex(script(agent), /segment=\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/);
  t.regex(script(agent), /--segment "\$segment\/\$SEGMENTS" --run-id "\$RUN_ID" --start-at/);
  t.deepEqual(agent.envFrom?.find((from) => from.secretRef)?.secretRef, { name: 'llmbench-influxdb', optional: true });
  for (const spec of [pod, merge.spec.template.spec]) {
    t.true(spec.volumes.some((volume) => volume.persistentVolumeClaim?.claimName === pvc.metadata.name));
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
      t.true(container.envFrom?.some((from) => from.configMapRef?.name === 'llmbench-run'), container.name);
      t.true(container.volumeMounts?.some((mount) => mount.name === 'runs' && mount.mountPath === '/runs'), container.name);
    }
  }
  t.deepEqual((pvc as unknown as { spec: { accessModes: string[] } }).spec.accessModes, ['ReadWriteMany'], 'agents on several nodes write one volume');
});

test("the ConfigMap's scenario is a valid scenario", async (t) => {
  const config = (await byKind('ConfigMap', 'llmbench-run')) as unknown as { data: Record<string, string> };
  const [document] = parseAllDocuments(config.data['scenario.yaml']!);
  t.deepEqual(scenarioProblems(document!.toJS()), []);
  t.regex(config.data.RUN_ID!, /^[a-z0-9][a-z0-9-]*$/);
});

/** A stand-in `node` on PATH that writes its arguments to $ARGS_FILE (the real node keeps running the init script). */
async function fakeNode(root: string): Promise<string> {
  const bin = join(root, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n');
  await chmod(join(bin, 'node'), 0o755);
  return bin;
}

test('the scripts: one start time for every agent, pod I runs segment I/N, the merge takes every segment', async (t) => {
  const agents = (await byKind('Job', 'llmbench-agents')) as unknown as { spec: JobSpec };
  const merge = (await byKind('Job', 'llmbench-merge')) as unknown as { spec: JobSpec };
  const root = await mkdtemp(join(tmpdir(), 'llmbench-k8s-'));
  const runs = join(root, 'runs');
  const env = { ...process.env, RUNS_DIR: runs, RUN_ID: 'cluster-run-1', SEGMENTS: '2', START_LEAD_MS: '60000', MERGE_WAIT_S: '30' };
  const before = Date.now();
  // Two agents' init containers at once: one fixes the start, both print it.
  const init = script(agents.spec.template.spec.initContainers![0]!);
  const starts = await Promise.all([0, 1].map(() => run('/bin/sh', ['-c', init], { env, timeout: 20_000 })));
  const startAt = Number(await readFile(join(runs, 'cluster-run-1', 'start-at'), 'utf8'));
  t.true(startAt >= before + 60_000 && startAt <= Date.now() + 60_000, String(startAt));
  for (const { stdout } of starts) t.is(stdout.trim(), `run cluster-run-1 starts at ${startAt} (epoch ms)`);

  const bin = await fakeNode(root);
  const withFake = { ...env, PATH: `${bin}:${process.env.PATH}`, ARGS_FILE: join(root, 'agent-args') };
  await run('/bin/sh', ['-c', script(agents.spec.template.spec.containers[0]!)], { env: { ...withFake, JOB_COMPLETION_INDEX: '1' }, timeout: 20_000 });
  const args = (await readFile(withFake.ARGS_FILE, 'utf8')).trim().split('\n');
  t.deepEqual(args.slice(0, 3), ['bin/llmbench.js', 'run', '/etc/llmbench/scenario.yaml']);
  const flag = (name: string) => args[args.indexOf(name) + 1];
  t.is(flag('--segment'), '2/2');
  t.is(flag('--run-id'), 'cluster-run-1');
  t.is(flag('--start-at'), String(startAt));
  t.is(flag('--out'), join(runs, 'cluster-run-1', 'segment-2'));

  for (const index of [1, 2]) {
    await mkdir(join(runs, 'cluster-run-1', `segment-${index}`), { recursive: true });
    await writeFile(join(runs, 'cluster-run-1', `segment-${index}`, 'run.json'), '{}');
  }
  const mergeArgs = { ...withFake, ARGS_FILE: join(root, 'merge-args') };
  await run('/bin/sh', ['-c', script(merge.spec.template.spec.containers[0]!)], { env: mergeArgs, timeout: 20_000 });
  t.deepEqual((await readFile(mergeArgs.ARGS_FILE, 'utf8')).trim().split('\n'), [
    'bin/llmbench.js', 'merge', join(runs, 'cluster-run-1', 'segment-1'), join(runs, 'cluster-run-1', 'segment-2'), '--out', join(runs, 'cluster-run-1', 'merged'),
  ]);
});
