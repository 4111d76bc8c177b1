/** The cluster as one node sees it: a line of `CLUSTER NODES`. */
export interface ClusterNodeView {
  /** The node's 40-character cluster id. */
  readonly id: string;
  /** Its client port on 127.0.0.1. */
  readonly port: number;
  readonly role: 'primary' | 'replica';
  /** For a replica, the id of its primary. */
  readonly primaryId: string | undefined;
  /** The node is flagged `fail` or `fail?` (unreachable) by the node that answered. */
  readonly isFailing: boolean;
  /** Slot ranges it serves, inclusive (`[start, end]`); empty for replicas. */
  readonly slots: readonly (readonly [number, number])[];
}

/**
 * Parses `CLUSTER NODES`: `<id> <ip:port@cport> <flags> <primary> <ping> <pong> <epoch> <link>
 * <slot> <slot>…`, where a slot is `n` or `a-b` (importing/migrating entries in brackets are skipped).
 */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  const views: ClusterNodeView[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const [id, address, flagText, primary] = fields as [string, string, string, string];
    const flags = flagText.split(',');
    const port = Number(address.split('@')[0]?.split(':').pop());
    const slots: [number, number][] = [];
    for (const slot of fields.slice(8)) {
      if (slot.startsWith('[')) continue;
      const [start, end = start] = slot.split('-');
      slots.push([Number(start), Number(end)]);
    }
    views.push({
      id,
      port,
      role: flags.includes('master') ? 'primary' : 'replica',
      primaryId: primary === '-' ? undefined : primary,
      isFailing: flags.includes('fail') || flags.includes('fail?'),
      slots,
    });
  }
  return views;
}

/** The serving primaries with their slots, in one string: equal on nodes that agree. */
export function servingSignature(views: readonly ClusterNodeView[]): string {
  return views
    .filter((view) => view.role === 'primary' && !view.isFailing && view.slots.length > 0)
    .map((view) => `${view.port}:${view.slots.map(([a, b]) => `${a}-${b}`).join(',')}`)
    .sort()
    .join(' ');
}

/** How many slots the serving primaries cover together. */
export function coveredSlots(views: readonly ClusterNodeView[]): number {
  let count = 0;
  for (const view of views) {
    if (view.role !== 'primary' || view.isFailing) continue;
    for (const [start, end] of view.slots) count += end - start + 1;
  }
  return count;
}
