/**
 * A small tmpfs of our own (`mount -t tmpfs -o size=…`, root only), unmounted when the test ends: a real full
 * disk. `tmpfsTest` is ava's `test.serial` where mounting works and `test.skip` where it cannot (not root, no
 * mount(8)); under CI=true it is always `test.serial`, so a CI machine that cannot mount fails those tests
 * instead of skipping them.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function mount(dir: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
}

function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

function canMount(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'llmbench-tmpfs-probe-'));
  try {
    mount(dir, 'size=64k');
    unmount(dir);
    return true;
  } catch {
    return false; // not root or no mount(8): the tests that need it skip (or fail under CI=true)
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const mountWorks = canMount();
export const tmpfsTest = mountWorks || process.env.CI === 'true' ? test.serial : test.skip;

/** Mounts a tmpfs (`options` as for mount -o, e.g. "size=1536k" or "ro,size=64k") and returns its path. */
export function tmpfsFor(t: ExecutionContext, options: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmbench-tmpfs-'));
  try {
    mount(dir, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`this test needs a tmpfs of its own (mount -t tmpfs -o ${options}; root only) and could not mount one: ${(error as Error).message}`);
  }
  t.teardown(() => {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
