import { ControlClient, controlDir, findLocalClusters, type LocalCluster } from '@clustr/core/internal';
import type { TargetOptions } from './cli-args.js';
import { CliError } from './cli-error.js';
import type { ClusterSource } from './cluster-source.js';

const named = (clusters: readonly LocalCluster[]) =>
  clusters.map((cluster) => `${cluster.pid} ${cluster.info.name}`).join(', ');

/**
 * The local clusters of this user, narrowed to those `--pid` or `--name` pick.
 * @throws CliError when none is running, or none matches
 */
export async function localClusters(target: TargetOptions): Promise<LocalCluster[]> {
  const dir = controlDir();
  const { clusters, silent } = await findLocalClusters(dir);
  const running = clusters.length === 0 ? '' : ` (running: ${named(clusters)})`;
  if (target.pid !== undefined) {
    const picked = clusters.filter((cluster) => cluster.pid === target.pid);
    if (picked.length > 0) return picked;
    const quiet = silent.find((cluster) => cluster.pid === target.pid);
    if (quiet !== undefined)
      throw new CliError(`the master with pid ${target.pid} did not answer: ${quiet.reason}`);
    throw new CliError(
      `no clustr master with pid ${target.pid} runs for this user on this machine${running}`,
    );
  }
  if (target.name !== undefined) {
    const picked = clusters.filter((cluster) => cluster.info.name === target.name);
    if (picked.length > 0) return picked;
    throw new CliError(
      `no clustr cluster named "${target.name}" runs for this user on this machine${running}`,
    );
  }
  if (clusters.length === 0) {
    const busy =
      silent.length === 0 ? '' : `; ${silent.length} master(s) did not answer: ${silent[0]!.reason}`;
    throw new CliError(
      `no clustr cluster of this user runs on this machine (no live control socket in ${dir})${busy}`,
    );
  }
  return clusters;
}

/**
 * The one cluster of a list.
 * @throws CliError when there are several: the user picks with --pid or --name
 */
export function onlyCluster(clusters: readonly LocalCluster[]): LocalCluster {
  if (clusters.length === 1) return clusters[0]!;
  throw new CliError(`${clusters.length} clusters match (${named(clusters)}): pick one with --pid or --name`);
}

/** Talks to a local master over its control socket: the master answers and acts. */
export async function openLocal(cluster: LocalCluster): Promise<ClusterSource> {
  const { info } = cluster;
  const client = await ControlClient.connect(cluster.path, `the master with pid ${cluster.pid}`);
  return {
    title: `cluster ${info.name} · master pid ${info.pid} on ${info.host} · ${info.transport ?? 'joining'}`,
    startedAt: info.startedAt,
    snapshot: () => client.members(),
    kill: (workerId, code) => client.kill(workerId, code),
    publish: (channel, data) => client.publish(channel, data),
    close: async () => client.close(),
  };
}
