import type { WorkerHandle } from '@clustr/core';
import type { SummaryResult } from './commands.js';
import { MASTER_EPOCH, MasterStream } from './master-streams.js';
import type { RelCluster } from './rel-cluster.js';
import { type CheckTotals, checkStreams, type Expectation } from './stream-check.js';
import type { StreamSummary } from './stream-recorder.js';

/** What the honest traffic came to. */
export interface TrafficResult {
  totals: CheckTotals;
  /** What each receiver (`a`'s and `b`'s workerIds, `master`) reported, every stream it saw. */
  received: Map<string, StreamSummary[]>;
}

/**
 * Honest numbered traffic while a scenario attacks the cluster: `a` streams to `public` and to
 * `b`'s private channel, `b` to `master`, the master to `public` (5 messages per 10 ms each).
 * `stop()` ends every stream with its fin and checks that `a`, `b` and the master got all of
 * it, once and in order.
 */
export class BackgroundTraffic {
  private constructor(
    private readonly cluster: RelCluster,
    private readonly a: WorkerHandle,
    private readonly b: WorkerHandle,
    private readonly stream: string,
    private readonly fromMaster: MasterStream,
  ) {}

  static async start(
    cluster: RelCluster,
    a: WorkerHandle,
    b: WorkerHandle,
    stream: string,
  ): Promise<BackgroundTraffic> {
    const paced = { cmd: 'stream', stream, perTick: 5, tickMs: 10 } as const;
    await cluster.command(a, { ...paced, channels: ['public', b.workerId] });
    await cluster.command(b, { ...paced, channels: ['master'] });
    const fromMaster = new MasterStream(cluster.master, stream, 'public');
    fromMaster.start(5, 10);
    return new BackgroundTraffic(cluster, a, b, stream, fromMaster);
  }

  /** Stops the streams and checks them once every fin arrived. */
  async stop(): Promise<TrafficResult> {
    const { cluster, a, b, stream } = this;
    const [sentA, sentB] = await cluster.commandAll<Record<string, number>>([a, b], { cmd: 'stop' });
    const masterSent = this.fromMaster.stop();
    const [atA, atB] = await Promise.all([
      cluster.command<SummaryResult>(a, { cmd: 'summary', fins: 2, timeoutMs: 30_000 }, 40_000),
      cluster.command<SummaryResult>(b, { cmd: 'summary', fins: 3, timeoutMs: 30_000 }, 40_000),
    ]);
    await cluster.until(() => (cluster.recorder.fins >= 3 ? true : undefined), 'every fin at the master');
    const everyone = [a.workerId, b.workerId, 'master'];
    const expectations: Expectation[] = [
      ...everyone.map((receiver) => ({ receiver, sender: a.workerId, count: sentA?.public ?? 0 })),
      ...everyone.map((receiver) => ({ receiver, sender: 'master', epoch: MASTER_EPOCH, count: masterSent })),
    ].map((e) => ({ ...e, kind: 'public' as const, stream }));
    expectations.push(
      { receiver: b.workerId, sender: a.workerId, kind: 'private', stream, count: sentA?.[b.workerId] ?? 0 },
      { receiver: 'master', sender: b.workerId, kind: 'private', stream, count: sentB?.master ?? 0 },
    );
    const received = new Map<string, StreamSummary[]>([
      [a.workerId, atA?.streams ?? []],
      [b.workerId, atB?.streams ?? []],
      ['master', cluster.recorder.summary()],
    ]);
    return { totals: checkStreams(received, expectations), received };
  }
}
