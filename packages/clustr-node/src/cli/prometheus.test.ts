import type { MemberView } from '@clustr/core/internal';
import { describe, expect, it } from 'vitest';
import { prometheusText } from './prometheus.js';

const base: MemberView = {
  id: 'w1',
  workerId: 'w1',
  group: 'web',
  host: 'h"1\\\n',
  pid: 1,
  command: 'node',
  file: 'w.js',
  startedAt: 1_500,
  restarts: 2,
  state: 'ready',
};

describe('prometheusText', () => {
  it('writes HELP and TYPE once per family, one escaped series per member, and skips what is unknown', () => {
    const withStats: MemberView = {
      ...base,
      id: 'w2',
      stats: {
        rss: 2 ** 40,
        cpuPercent: 12.5,
        eventLoopDelayP99Ms: 3,
        messagesIn: 7,
        messagesOut: 1e21,
        bytesIn: 0,
        bytesOut: 0,
        queuedBytes: 0,
        errors: 0,
      },
    };
    const lines = prometheusText([base, withStats]).trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '# HELP clustr_member_up A member of the cluster, alive at its latest heartbeat.',
      '# TYPE clustr_member_up gauge',
      'clustr_member_up{id="w1",group="web",host="h\\"1\\\\\\n"} 1',
      'clustr_member_up{id="w2",group="web",host="h\\"1\\\\\\n"} 1',
    ]);
    expect(lines).toContain('clustr_member_start_time_seconds{id="w1",group="web",host="h\\"1\\\\\\n"} 1.5');
    expect(lines.filter((line) => line.startsWith('clustr_member_rss_bytes'))).toEqual([
      'clustr_member_rss_bytes{id="w2",group="web",host="h\\"1\\\\\\n"} 1099511627776',
    ]);
    expect(lines).toContain('clustr_member_cpu_ratio{id="w2",group="web",host="h\\"1\\\\\\n"} 0.125');
    expect(lines).toContain(
      'clustr_member_messages_out_total{id="w2",group="web",host="h\\"1\\\\\\n"} 1e+21',
    );
    expect(prometheusText([])).toBe('');
  });
});
