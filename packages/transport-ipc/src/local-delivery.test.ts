import { describe, expect, it } from 'vitest';
import { createNode } from '../test/link-pair.js';

describe('LocalDelivery', () => {
  it('reports published data that is not JSON and still delivers the next queued message', async () => {
    const root = createNode('master');
    await root.transport.subscribe('x');
    root.transport.publish('x', root.meta, 'not json');
    root.publish('x', 'next');
    await root.receivedCount(1, 'the message queued after the bad one');
    expect(root.received.map((m) => m.envelope.data)).toEqual(['next']);
    expect(root.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_INVALID_DATA']);
    expect(root.errors[0]!.message).toContain('"x"');
    expect(root.transport.stats().delivered).toBe(1);
  });
});
