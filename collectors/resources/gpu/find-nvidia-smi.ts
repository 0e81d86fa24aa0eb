/**
 * Where nvidia-smi lives: PATH first, then the places drivers and the NVIDIA container toolkit put it
 * (on the H200 it was /usr/local/nvidia/bin, which is not on PATH in many containers; DESIGN §14).
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export const NVIDIA_SMI_FALLBACK_DIRS = ['/usr/local/nvidia/bin', '/usr/bin'] as const;

export async function findNvidiaSmi(
  pathEnv: string | undefined = process.env.PATH,
  fallbackDirs: readonly string[] = NVIDIA_SMI_FALLBACK_DIRS,
): Promise<string | undefined> {
  const dirs = [...(pathEnv ?? '').split(delimiter).filter((dir) => dir !== ''), ...fallbackDirs];
  for (const dir of dirs) {
    const candidate = join(dir, 'nvidia-smi');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here (or not executable): the next directory decides.
      continue;
    }
  }
  return undefined;
}
