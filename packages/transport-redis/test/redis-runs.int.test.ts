import { encodeData, encodeMeta } from '@clustr/protocol';
import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { redisForFile } from './file-redis.js';
import { record } from './recorder.js';

const file = redisForFile();

describe('runs (one meta, many messages) over a real redis-server', () => {
  it('takes runs from another client: in order, a meta each, bad runs refused, a message that is not JSON costs only itself', async () => {
    const transport = file.transport('runs');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    await file.server.cli('PUBLISH', 'runs:public', '{"meta":{"group":"ops","workerId":"w9"},"run":[1,2]}');
    for (const bad of [
      '{"meta":{"group":"ops"},"run":[]}',
      '{"meta":{"group":"ops"},"run":3}',
      '{"meta":{"group":"ops"},"run":[1],"data":1}',
      '{"meta":{"group":"bad group!"},"run":[1]}',
    ])
      await file.server.cli('PUBLISH', 'runs:public', bad);
    // A sender that joined its messages as clustr does, one of them not JSON.
    await file.server.cli('PUBLISH', 'runs:public', '{"meta":{"group":"ops"},"run":[3,\n{oops},\n4]}');
    const client = createClient({ url: file.server.url });
    await client.connect();
    const many = Array.from({ length: 10_000 }, (_, i) => i + 5);
    await client.publish('runs:public', `{"meta":{"group":"ops"},"run":[${many.join(',\n')}]}`);
    await client.close();
    await recorder.waitForMessages(10_004, 'the valid messages of the runs');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual(
      [...Array(10_004).keys()].map((i) => i + 1),
    );
    expect(recorder.messages[0]?.envelope.meta).toEqual({ workerId: 'w9', group: 'ops' });
    expect(recorder.messages[1]?.envelope.meta).toEqual({ workerId: 'w9', group: 'ops' });
    expect(recorder.messages[1]?.envelope.meta).not.toBe(recorder.messages[0]?.envelope.meta);
    expect(transport.stats()).toMatchObject({ received: 10_004, badPayloads: 5 });
    await transport.close();
    const messages = recorder.errors.map((error) => error.message).join('\n');
    expect(recorder.errors.every((error) => error.code === 'ERR_CLUSTR_BAD_FRAME')).toBe(true);
    expect(messages).toMatch(
      /dropped a payload on redis channel "runs:public": "run" must be a non-empty array/,
    );
    expect(messages).toMatch(/4 more like this from redis channel "runs:public"/);
  });

  it('sends what one process published to a channel in a turn as one run, which other clients read with one parse', async () => {
    const transport = file.transport('own');
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    const spy = createClient({ url: file.server.url });
    await spy.connect();
    const payloads: string[] = [];
    await spy.subscribe('own:public', (message) => payloads.push(message));
    const meta = encodeMeta({ workerId: 'w1', group: 'web' });
    for (let i = 0; i < 3; i++) transport.publish('public', meta, encodeData({ i }));
    await recorder.waitForMessages(3, 'the three messages of one turn');
    await spy.close();
    expect(payloads).toHaveLength(1);
    expect(JSON.parse(payloads[0] as string)).toEqual({
      meta: { workerId: 'w1', group: 'web' },
      run: [{ i: 0 }, { i: 1 }, { i: 2 }],
      src: expect.stringMatching(/^[\w-]{12}$/),
      seq: 3,
    });
  });
});
