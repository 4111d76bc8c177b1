import { describe, expect, it } from 'vitest';
import { fakeLink } from './fake-link.js';
import { redisForFile } from './file-redis.js';
import { record } from './recorder.js';

const file = redisForFile();
const transportFor = (namespace: string) => file.transport(namespace);

// What a non-Node child (a bash worker) writes on its link, relayed into Redis by its parent.
describe('relay of a foreign child', () => {
  it('relays the data frames a non-Node child writes for itself, ignoring control frames', async () => {
    const transport = transportFor('relay');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    const link = fakeLink('bash1');
    transport.adopt(link);
    const own = { workerId: 'bash1', group: 'bash' };
    link.frame({ clustr: 1, type: 'ready' });
    link.frame({ clustr: 1, channel: 'public', meta: own });
    link.bad('ERR_CLUSTR_BAD_FRAME');
    link.frame({ clustr: 1, channel: 'public', meta: own, data: { n: 1 } });
    link.frame({ clustr: 1, channel: 'public', meta: { ...own, admin: true }, data: 'extra meta' });
    link.frame({ clustr: 1, type: 'batch', frames: [] });
    link.frame({ clustr: 1, channel: 'public', meta: { group: 'bash' }, data: 'no workerId' });
    link.frame({ clustr: 1, channel: 'public', meta: { workerId: 'w2', group: 'bash' }, data: 'as w2' });
    link.frame({ clustr: 1, channel: 'public', meta: { ...own, group: 'ops' }, data: 'second group' });
    link.frame({ clustr: 1, channel: 'public', meta: own, run: [3, 4] });
    await recorder.waitForMessages(3, 'three relayed messages');
    expect(recorder.messages.map((m) => m.envelope)).toEqual([
      { meta: own, data: { n: 1 } },
      { meta: own, data: 3 },
      { meta: own, data: 4 },
    ]);
    // The first of each code at once; the rest summed up per child at close.
    expect(recorder.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME', 'ERR_CLUSTR_FORBIDDEN']);
    expect(recorder.errors[1]?.message).toMatch(
      /child bash1: it carried the field "meta.admin", which the wire does not define/,
    );
    expect(transport.stats().forbidden).toBe(4);
    link.close();
    expect(link.handlerCount()).toBe(0);
    await transport.close();
    expect(recorder.errors.slice(2).map((e) => [e.code, e.details?.count])).toEqual([
      ['ERR_CLUSTR_BAD_FRAME', 2],
      ['ERR_CLUSTR_FORBIDDEN', 3],
    ]);
  });

  it("takes as a child's group only the first it used, and one a worker may take", async () => {
    const transport = transportFor('relay-group');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('master');
    const link = fakeLink('bash2');
    transport.adopt(link);
    link.frame({
      clustr: 1,
      channel: 'master',
      meta: { workerId: 'bash2', group: 'master' },
      data: 'as master',
    });
    link.frame({ clustr: 1, channel: 'master', meta: { workerId: 'bash2', group: 'ops' }, data: 'as ops' });
    await recorder.waitForMessages(1, 'the frame of the first valid group');
    expect(recorder.messages.map((m) => m.envelope)).toEqual([
      { meta: { workerId: 'bash2', group: 'ops' }, data: 'as ops' },
    ]);
    expect(recorder.errors[0]?.message).toMatch(/group "master" is one no worker may take/);
  });

  it('takes the group a child joined with, as the IPC transport does', async () => {
    const transport = transportFor('relay-join');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('master');
    const link = fakeLink('bash3');
    transport.adopt(link);
    link.frame({ clustr: 1, type: 'join', workerId: 'bash3', group: 'ops' });
    link.frame({ clustr: 1, channel: 'master', meta: { workerId: 'bash3', group: 'bash' }, data: 'as bash' });
    link.frame({ clustr: 1, channel: 'master', meta: { workerId: 'bash3', group: 'ops' }, data: 'as ops' });
    await recorder.waitForMessages(1, 'the frame of the joined group');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual(['as ops']);
    expect(recorder.errors[0]?.message).toMatch(/group "bash" is not the group it joined with \("ops"\)/);
  });
});
