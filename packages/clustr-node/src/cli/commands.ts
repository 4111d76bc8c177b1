import { isClustrError, type Member } from '@clustr/core';
import { ControlClient, type LocalCluster, type MemberView } from '@clustr/core/internal';
import type { CliArgs, TargetOptions } from './cli-args.js';
import { CliError, EXIT_OK, usageError } from './cli-error.js';
import type { ClusterSource } from './cluster-source.js';
import { formatDuration, shortId } from './format.js';
import { localClusters, onlyCluster, openLocal } from './local-source.js';
import { memberRows, renderTable, type Snapshot } from './member-table.js';
import { prometheusText } from './prometheus.js';
import { openRedis } from './redis-source.js';
import { runTop } from './top.js';

/** Where a command writes. */
export interface Output {
  write(text: string): void;
}

type Command<K extends CliArgs['command']> = Extract<CliArgs, { command: K }>;

async function open(target: TargetOptions): Promise<ClusterSource> {
  if (target.redis !== undefined) return openRedis({ ...target, redis: target.redis });
  return openLocal(onlyCluster(await localClusters(target)));
}

async function using<T>(source: ClusterSource, run: (source: ClusterSource) => Promise<T>): Promise<T> {
  try {
    return await run(source);
  } finally {
    await source.close();
  }
}

/** The line above a table: what it shows, how many members, since when. */
export function headline(source: ClusterSource, snapshot: Snapshot, now = Date.now()): string {
  const hosts = new Set(snapshot.members.map((member) => member.host)).size;
  const count = `${snapshot.members.length} member${snapshot.members.length === 1 ? '' : 's'}`;
  const on = hosts > 1 ? ` on ${hosts} hosts` : '';
  const up = source.startedAt === undefined ? '' : ` · up ${formatDuration(now - source.startedAt)}`;
  return `${source.title} · ${count}${on}${up}`;
}

/** What `clustr ps` shows when several local clusters run and none was picked. */
function clusterList(clusters: readonly LocalCluster[], now = Date.now()): string {
  const lines = [
    ['PID', 'NAME', 'MEMBERS', 'UPTIME', 'TRANSPORT'],
    ...clusters.map(({ pid, info }) => [
      String(pid),
      info.name,
      String(info.members),
      formatDuration(now - info.startedAt),
      info.transport ?? '-',
    ]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((cells) => cells[i]!.length)));
  return [
    ...lines.map((cells) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    ),
    `${clusters.length} clusters: clustr ps --pid <pid> or --name <name> shows one`,
  ].join('\n');
}

async function ps(args: Command<'ps'>, out: Output): Promise<number> {
  const { target } = args;
  let source: ClusterSource;
  if (target.redis !== undefined) source = await openRedis({ ...target, redis: target.redis });
  else {
    const clusters = await localClusters(target);
    const isPicked = target.pid !== undefined || target.name !== undefined;
    if (clusters.length > 1 && !isPicked && !args.json) {
      out.write(`${clusterList(clusters)}\n`);
      return EXIT_OK;
    }
    source = await openLocal(onlyCluster(clusters));
  }
  return using(source, async () => {
    const snapshot = await source.snapshot();
    if (args.json) out.write(`${JSON.stringify(snapshot.members, null, 2)}\n`);
    else out.write(`${[headline(source, snapshot), ...renderTable(memberRows(snapshot))].join('\n')}\n`);
    return EXIT_OK;
  });
}

/**
 * The members `who` names: a workerId, the first characters of one (at least 4, one match), or
 * a group (every worker in it).
 * @throws CliError when nothing or a master matches, or a prefix is ambiguous
 */
export function resolveKill(members: readonly Member[], who: string): Member[] {
  const exact = members.filter((member) => member.workerId === who || member.id === who);
  const group = members.filter((member) => member.group === who && member.workerId !== 'master');
  const prefixed = who.length >= 4 ? members.filter((member) => member.workerId.startsWith(who)) : [];
  const found = exact.length > 0 ? exact : group.length > 0 ? group : prefixed;
  if (found.length === 0) throw new CliError(`no worker or group "${who}" in the cluster`);
  if (found.some((member) => member.workerId === 'master')) {
    throw new CliError('a master has no kill channel: stop it with a signal (kill <pid>) or close()');
  }
  if (found === prefixed && found.length > 1) {
    throw new CliError(`"${who}" starts ${found.length} workerIds: give more of it`);
  }
  return found;
}

async function kill(args: Command<'kill'>, out: Output): Promise<number> {
  return using(await open(args.target), async (source) => {
    const { members } = await source.snapshot();
    const victims = resolveKill(members, args.who);
    for (const victim of victims) await source.kill(victim.workerId, args.code);
    const masters = members.filter((member) => member.workerId === 'master').length;
    const names = victims.map((victim) => `${shortId(victim, masters)} (${victim.group}, pid ${victim.pid})`);
    out.write(`told ${names.join(', ')} to exit with code ${args.code}\n`);
    return EXIT_OK;
  });
}

async function publish(args: Command<'publish'>, out: Output): Promise<number> {
  return using(await open(args.target), async (source) => {
    await source.publish(args.channel, args.data);
    out.write(`published to ${args.channel}\n`);
    return EXIT_OK;
  });
}

async function reload(args: Command<'reload'>, out: Output): Promise<number> {
  const cluster = onlyCluster(await localClusters(args.target));
  const client = await ControlClient.connect(cluster.path, `the master with pid ${cluster.pid}`);
  try {
    const scope = args.group === undefined ? '' : ` of ${args.group}`;
    out.write(`reloading the workers${scope} of cluster ${cluster.info.name} (master pid ${cluster.pid})…\n`);
    const summary = await client.reload(args.group).catch((error: unknown) => {
      throw new CliError(isClustrError(error) ? `${error.code}: ${error.message}` : String(error));
    });
    for (const worker of summary.replaced) {
      out.write(
        `  ${worker.workerId.slice(0, 8)} (${worker.group}) pid ${worker.previousPid} → ${worker.pid}, ready in ${Math.round(worker.readyMs)} ms\n`,
      );
    }
    for (const kept of summary.kept) out.write(`  ${kept.workerId.slice(0, 8)} kept: ${kept.reason}\n`);
    out.write(
      `reloaded ${summary.replaced.length} worker(s) in ${(summary.durationMs / 1000).toFixed(1)} s\n`,
    );
    return EXIT_OK;
  } finally {
    client.close();
  }
}

async function metrics(args: Command<'metrics'>, out: Output): Promise<number> {
  const { target } = args;
  // With no target, a machine's metrics are those of every cluster on it.
  const sources =
    target.redis !== undefined
      ? [await openRedis({ ...target, redis: target.redis })]
      : await Promise.all((await localClusters(target)).map(openLocal));
  const members: MemberView[] = [];
  try {
    for (const source of sources) members.push(...(await source.snapshot()).members);
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
  out.write(prometheusText(members));
  return EXIT_OK;
}

/** Runs a checked command line; resolves with the exit code. */
export async function runCommand(args: CliArgs, out: Output): Promise<number> {
  switch (args.command) {
    case 'ps':
      return ps(args, out);
    case 'top':
      return runTop(await open(args.target), { count: args.count });
    case 'kill':
      return kill(args, out);
    case 'publish':
      return publish(args, out);
    case 'metrics':
      return metrics(args, out);
    case 'reload':
      return reload(args, out);
    default:
      throw usageError(`"${args.command}" is answered before any cluster is asked`);
  }
}
