/**
 * setYoungGcMode really changes how V8 scavenges: checked in a child process through V8's own GC trace, whose
 * `background.scavenge.parallel` field is the time helper threads spent on each scavenge. The child loads the
 * built module (`npm test` builds first) so that little is allocated before the mode is set, and then forces a
 * full GC whose trace line marks where the scavenges under the new mode begin.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';

const MODULE_URL = new URL('../../../dist/pipeline/tuning/young-gc.js', import.meta.url).href;

/** Helper-thread ms of each scavenge after the marker, in a child that sets `mode` (or nothing) and allocates. */
function helperMsPerScavenge(mode: 'serial' | 'parallel' | undefined): Promise<number[]> {
  const script = `
    const { setYoungGcMode } = await import(${JSON.stringify(MODULE_URL)});
    ${mode ? `setYoungGcMode(${JSON.stringify(mode)});` : ''}
    globalThis.gc();
    const kept = [];
    for (let i = 0; i < 3e6; i++) { kept.push({ i, text: 'x' + i }); if (kept.length > 2e5) kept.length = 0; }`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--trace-gc-nvp', '--expose-gc', '--input-type=module', '-e', script], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) return reject(error);
      const lines = stdout.split('\n');
      const marker = lines.findIndex((line) => line.includes('gc=mc '));
      if (marker === -1) return reject(new Error('the forced full GC left no trace line'));
      const scavenges = lines.slice(marker + 1).filter((line) => line.includes('gc=s '));
      resolve(scavenges.map((line) => Number(/background\.scavenge\.parallel=([\d.]+)/.exec(line)?.[1] ?? Number.NaN)));
    });
  });
}

test('serial: no scavenge gets help from another thread', async (t) => {
  const helperMs = await helperMsPerScavenge('serial');
  t.true(helperMs.length >= 5, `scavenges traced: ${helperMs.length}`);
  t.deepEqual(helperMs.filter((ms) => ms !== 0), []);
});

test('the contrast: without it (or with parallel) helpers take part, so the check above can fail', async (t) => {
  if (availableParallelism() < 2) return t.pass('one core: V8 starts no scavenge helpers, there is nothing to contrast');
  for (const mode of [undefined, 'parallel'] as const) {
    const helperMs = await helperMsPerScavenge(mode);
    t.true(helperMs.some((ms) => ms > 0), `${mode ?? 'default'}: helper ms per scavenge ${helperMs.join(',')}`);
  }
});
