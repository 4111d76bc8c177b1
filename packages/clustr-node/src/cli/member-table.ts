import type { LeftMember, MemberView } from '@clustr/core/internal';
import { formatBytes, formatDuration, formatRate, formatReason, shortId } from './format.js';

/** What the command shows of a cluster at one moment. */
export interface Snapshot {
  members: MemberView[];
  /** Members that left lately, with why. */
  left: LeftMember[];
}

/** The orders of `clustr top`: by CPU, by memory (RSS), by message rate (in + out). */
export type SortKey = 'cpu' | 'memory' | 'rate';

/** One line of the table: its cells, and whether it shows a member that left. */
export interface TableRow {
  cells: string[];
  hasLeft: boolean;
}

const HEADER = [
  'ID',
  'GROUP',
  'HOST',
  'PID',
  'CPU',
  'STATE',
  'UPTIME',
  'RESTARTS',
  'RSS',
  '%CPU',
  'IN/S',
  'OUT/S',
  'QUEUED',
];
/** Columns of numbers, aligned right. */
const NUMERIC = new Set(['PID', 'RESTARTS', 'RSS', '%CPU', 'IN/S', 'OUT/S', 'QUEUED']);

interface Entry {
  member: MemberView;
  left?: LeftMember;
}

function sortValue(entry: Entry, key: SortKey | undefined): number {
  const { stats, rates } = entry.member;
  if (entry.left !== undefined) return -2;
  switch (key) {
    case 'cpu':
      return stats?.cpuPercent ?? -1;
    case 'memory':
      return stats?.rss ?? -1;
    case 'rate':
      return rates === undefined ? -1 : rates.messagesInPerSec + rates.messagesOutPerSec;
    default:
      return 0;
  }
}

/** Siblings by the sort key (largest first), else masters, then group, then age; the id breaks ties. */
function compare(key: SortKey | undefined): (a: Entry, b: Entry) => number {
  return (a, b) =>
    sortValue(b, key) - sortValue(a, key) ||
    Number(b.member.workerId === 'master') - Number(a.member.workerId === 'master') ||
    a.member.group.localeCompare(b.member.group) ||
    a.member.startedAt - b.member.startedAt ||
    a.member.id.localeCompare(b.member.id);
}

function cells(entry: Entry, prefix: string, masters: number, now: number): string[] {
  const { member, left } = entry;
  const { stats, rates } = member;
  return [
    prefix + shortId(member, masters),
    member.group,
    member.host,
    String(member.pid),
    member.cpu === undefined ? '-' : String(member.cpu),
    left === undefined ? member.state : `left: ${formatReason(left.reason)}`,
    formatDuration((left?.leftAt ?? now) - member.startedAt),
    String(member.restarts),
    formatBytes(stats?.rss),
    stats === undefined ? '-' : stats.cpuPercent.toFixed(1),
    formatRate(rates?.messagesInPerSec),
    formatRate(rates?.messagesOutPerSec),
    formatBytes(stats?.queuedBytes),
  ];
}

/**
 * The cluster as a tree (parent → children), one row per member, members that left (and have
 * not come back) at their place in it. Siblings are ordered by `sort` when given.
 */
export function memberRows(snapshot: Snapshot, sort?: SortKey, now = Date.now()): TableRow[] {
  const present = new Set(snapshot.members.map((member) => member.id));
  const entries: Entry[] = snapshot.members.map((member) => ({ member }));
  for (const left of snapshot.left) {
    if (present.has(left.member.id)) continue;
    present.add(left.member.id);
    entries.push({ member: left.member, left });
  }
  const children = new Map<string | undefined, Entry[]>();
  for (const entry of entries) {
    const { parentId } = entry.member;
    const key = parentId !== undefined && present.has(parentId) ? parentId : undefined;
    children.set(key, [...(children.get(key) ?? []), entry]);
  }
  const masters = entries.filter((entry) => entry.member.workerId === 'master').length;
  const rows: TableRow[] = [];
  const seen = new Set<string>();
  const show = (list: Entry[], lead: string, isRoot: boolean) => {
    list.sort(compare(sort)).forEach((entry, i) => {
      // A loop of parentIds (a peer's mistake) is shown once, not followed forever.
      if (seen.has(entry.member.id)) return;
      seen.add(entry.member.id);
      const isLast = i === list.length - 1;
      const branch = isRoot ? '' : isLast ? '└─ ' : '├─ ';
      rows.push({ cells: cells(entry, lead + branch, masters, now), hasLeft: entry.left !== undefined });
      const below = children.get(entry.member.id) ?? [];
      show(below, isRoot ? '' : lead + (isLast ? '   ' : '│  '), false);
    });
  };
  show(children.get(undefined) ?? [], '', true);
  // Members on a loop of parentIds have no root above them: shown as roots.
  show(
    entries.filter((entry) => !seen.has(entry.member.id)),
    '',
    true,
  );
  return rows;
}

/** The header and the rows as aligned lines of text. */
export function renderTable(rows: readonly TableRow[]): string[] {
  const all = [HEADER, ...rows.map((row) => row.cells)];
  const widths = HEADER.map((_, column) => Math.max(...all.map((line) => line[column]!.length)));
  return all.map((line) =>
    line
      .map((cell, column) => {
        const width = widths[column]!;
        return NUMERIC.has(HEADER[column]!) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd(),
  );
}
