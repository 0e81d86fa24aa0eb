/**
 * `--engine-container NAME` → `container` points (CPU, memory, network, block I/O) from the Docker API, one
 * one-shot stats call per tick.
 */
import type Docker from 'dockerode';
import type { Point } from '../../../pipeline/core/point.js';
import { SamplerUnavailable, type Sampler, type SampleTick } from '../sampler.js';
import { describeDockerError, type DockerEndpoint } from './docker-client.js';
import { containerFields, type ContainerCounters, type DockerStats } from './docker-stats.js';

export async function openContainerSampler(
  name: string,
  endpoint: DockerEndpoint,
  tags: Readonly<Record<string, string>>,
  onNotice: (line: string) => void,
): Promise<ContainerSampler> {
  const container = endpoint.docker.getContainer(name);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (error) {
    throw new SamplerUnavailable(describeDockerError(error, endpoint.description), { cause: error });
  }
  const shownName = info.Name?.replace(/^\//, '') || name;
  onNotice(`Container: sampling ${shownName} (${info.State?.Status ?? 'unknown state'}, ${info.Config?.Image ?? 'unknown image'}) through Docker at ${endpoint.description}`);
  return new ContainerSampler(container, shownName, endpoint.description, tags);
}

export class ContainerSampler implements Sampler {
  readonly name = 'container';
  readonly source = 'docker';
  #previous: ContainerCounters | undefined;

  constructor(
    private readonly container: Docker.Container,
    readonly containerName: string,
    private readonly endpoint: string,
    private readonly tags: Readonly<Record<string, string>>,
  ) {}

  async sample(tick: SampleTick): Promise<readonly Point[]> {
    let stats: DockerStats;
    try {
      // one-shot: answer now instead of waiting a second inside the daemon for a second CPU sample.
      // abortSignal is a dockerode option its type declarations do not list.
      const options = { stream: false as const, 'one-shot': true, abortSignal: tick.signal };
      stats = (await this.container.stats(options)) as DockerStats;
    } catch (error) {
      throw new Error(describeDockerError(error, this.endpoint), { cause: error });
    }
    const { fields, counters } = containerFields(stats, tick.timeMs, this.#previous);
    this.#previous = counters;
    return [{ measurement: 'container', tags: { ...this.tags, container: this.containerName }, fields, time_ms: tick.timeMs }];
  }
}
