import type { PlanEntry } from './commands.js';
import type { Expectation } from './stream-check.js';

/** How much each process publishes in the load scenario. */
export interface LoadCounts {
  workers: number;
  groupSize: number;
  /** Per worker, to `public` (every process receives it, the sender and the master included). */
  publicPerWorker: number;
  /** Per worker, to the next group's channel. */
  groupPerWorker: number;
  /** Per worker, to the next worker's private channel. */
  privatePerWorker: number;
  /** Per worker, to the `master` channel. */
  masterPerWorker: number;
  /** From the master to each worker's private channel. */
  masterPrivatePerWorker: number;
  /** From the master to `public`. */
  masterPublic: number;
}

/** The whole load plan: who publishes what, and who must receive what. */
export interface LoadPlan {
  groups: string[];
  workerPlans: PlanEntry[][];
  masterPlan: PlanEntry[];
  expectations: Expectation[];
  published: number;
  expected: number;
}

/** The group of worker `i`. */
export function groupOf(i: number, counts: LoadCounts): string {
  return `g${Math.floor(i / counts.groupSize)}`;
}

/** Builds the plan for workers `ids` (index = position in the cluster). */
export function buildLoadPlan(ids: readonly string[], counts: LoadCounts, stream: string): LoadPlan {
  const groupCount = Math.ceil(ids.length / counts.groupSize);
  const groups = ids.map((_, i) => groupOf(i, counts));
  const members = (group: string) => ids.filter((_, i) => groups[i] === group);
  const everyone = [...ids, 'master'];
  const expectations: Expectation[] = [];
  const expect = (receivers: readonly string[], sender: string, kind: Expectation['kind'], count: number) => {
    if (count > 0)
      for (const receiver of receivers) expectations.push({ receiver, sender, kind, stream, count });
  };
  const workerPlans = ids.map((id, i) => {
    const targetGroup = `g${(Math.floor(i / counts.groupSize) + 1) % groupCount}`;
    const next = ids[(i + 1) % ids.length]!;
    expect(everyone, id, 'public', counts.publicPerWorker);
    expect(members(targetGroup), id, 'group', counts.groupPerWorker);
    expect([next], id, 'private', counts.privatePerWorker);
    expect(['master'], id, 'private', counts.masterPerWorker);
    return [
      { channel: 'public', count: counts.publicPerWorker },
      { channel: targetGroup, count: counts.groupPerWorker },
      { channel: next, count: counts.privatePerWorker },
      { channel: 'master', count: counts.masterPerWorker },
    ].filter((entry) => entry.count > 0);
  });
  expect(everyone, 'master', 'public', counts.masterPublic);
  const masterPlan: PlanEntry[] = [{ channel: 'public', count: counts.masterPublic }];
  for (const id of ids) {
    expect([id], 'master', 'private', counts.masterPrivatePerWorker);
    masterPlan.push({ channel: id, count: counts.masterPrivatePerWorker });
  }
  const published = [...workerPlans.flat(), ...masterPlan].reduce((sum, entry) => sum + entry.count, 0);
  const expected = expectations.reduce((sum, e) => sum + e.count, 0);
  return { groups, workerPlans, masterPlan, expectations, published, expected };
}
