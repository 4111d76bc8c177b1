import type { MemberStats } from '@clustr/core';
import type { MemberView } from '@clustr/core/internal';

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  /** The value for a member; `undefined` leaves the member out of this family. */
  value(member: MemberView): number | undefined;
}

const stat =
  (key: keyof MemberStats, scale = 1) =>
  (member: MemberView): number | undefined => {
    // Optional figures (messagesLost) are absent where the member's transport does not count them.
    const figure = member.stats?.[key];
    return figure === undefined ? undefined : figure * scale;
  };

/** What `clustr metrics` prints: one series per member in each family. */
const FAMILIES: readonly Family[] = [
  {
    name: 'clustr_member_up',
    type: 'gauge',
    help: 'A member of the cluster, alive at its latest heartbeat.',
    value: () => 1,
  },
  {
    name: 'clustr_member_start_time_seconds',
    type: 'gauge',
    help: 'When this incarnation of the member started, in seconds since the epoch.',
    value: (member) => member.startedAt / 1000,
  },
  {
    name: 'clustr_member_restarts_total',
    type: 'counter',
    help: 'How many times its parent restarted the member.',
    value: (member) => member.restarts,
  },
  { name: 'clustr_member_rss_bytes', type: 'gauge', help: 'Resident set size.', value: stat('rss') },
  {
    name: 'clustr_member_cpu_ratio',
    type: 'gauge',
    help: 'CPU time used between its last two heartbeats, as a fraction of one core.',
    value: stat('cpuPercent', 0.01),
  },
  {
    name: 'clustr_member_event_loop_delay_p99_seconds',
    type: 'gauge',
    help: "The 99th percentile of the event loop's delay between its last two heartbeats.",
    value: stat('eventLoopDelayP99Ms', 0.001),
  },
  {
    name: 'clustr_member_messages_out_total',
    type: 'counter',
    help: 'Messages it published.',
    value: stat('messagesOut'),
  },
  {
    name: 'clustr_member_messages_in_total',
    type: 'counter',
    help: 'Messages it received.',
    value: stat('messagesIn'),
  },
  {
    name: 'clustr_member_bytes_out_total',
    type: 'counter',
    help: 'Bytes of message data it published.',
    value: stat('bytesOut'),
  },
  {
    name: 'clustr_member_bytes_in_total',
    type: 'counter',
    help: 'Bytes of frames its transport received.',
    value: stat('bytesIn'),
  },
  {
    name: 'clustr_member_queued_bytes',
    type: 'gauge',
    help: 'Bytes its transport holds for slow peers.',
    value: stat('queuedBytes'),
  },
  { name: 'clustr_member_errors_total', type: 'counter', help: 'Errors it reported.', value: stat('errors') },
];

/** A label value as the exposition format wants it: backslash, quote and newline escaped. */
function labelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The members' stats in the Prometheus text exposition format (version 0.0.4): a HELP and a TYPE
 * line per family, then one series per member labelled by `id`, `group` and `host`. No
 * timestamps: a node-exporter textfile or a scrape wrapper stamps them.
 */
export function prometheusText(members: readonly MemberView[]): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const series = members.flatMap((member) => {
      const value = family.value(member);
      if (value === undefined) return [];
      const labels = `id="${labelValue(member.id)}",group="${labelValue(member.group)}",host="${labelValue(member.host)}"`;
      return [`${family.name}{${labels}} ${value}`];
    });
    if (series.length === 0) continue;
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`, ...series);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
