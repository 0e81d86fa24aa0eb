/**
 * A dockerode client for /var/run/docker.sock, DOCKER_HOST (docker-modem reads it), or an explicit socket, and
 * the words that name that endpoint in messages.
 */
import type Docker from 'dockerode';
import { dockerode } from '../lazy-modules.js';

export interface DockerEndpoint {
  readonly docker: Docker;
  /** "unix:///var/run/docker.sock", or DOCKER_HOST as set. */
  readonly description: string;
}

export function dockerEndpoint(socketPath?: string, timeoutMs = 5000): DockerEndpoint {
  if (socketPath) return { docker: new (dockerode())({ socketPath, timeout: timeoutMs }), description: `unix://${socketPath}` };
  return {
    docker: new (dockerode())({ timeout: timeoutMs }),
    description: process.env.DOCKER_HOST || 'unix:///var/run/docker.sock',
  };
}

/** One line for a failed Docker call: unreachable daemon vs. an API answer such as 404. */
export function describeDockerError(error: unknown, endpoint: string): string {
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string }).code;
  if (status !== undefined) {
    const json = (error as { json?: { message?: string } }).json;
    return `Docker at ${endpoint} answered ${status}${json?.message ? `: ${json.message.trim()}` : ''}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Docker API unreachable at ${endpoint} (${code && !message.includes(code) ? `${code}: ` : ''}${message})`;
}
