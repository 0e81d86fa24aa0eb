/**
 * Heavy optional dependencies loaded on first use, not at import: dockerode alone adds ~0.7 s to every CLI
 * start on these machines, and most runs never talk to Docker. Both are CommonJS, so require() is synchronous.
 */
import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import type SystemInformation from 'systeminformation';

const require = createRequire(import.meta.url);

export function dockerode(): typeof Docker {
  return require('dockerode') as typeof Docker;
}

export function systemInformation(): typeof SystemInformation {
  return require('systeminformation') as typeof SystemInformation;
}
