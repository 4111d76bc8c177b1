import { describe, expect, it } from 'vitest';
import { createNode, link, waitUntil } from '../test/link-pair.js';
import { createIpcTransport } from './ipc-transport.js';
import { DEFAULT_MAX_QUEUE_BYTES, resolveIpcOptions } from './ipc-transport-options.js';

describe('createIpcTransport', () => {
  it('is a root: it never takes the process IPC channel (here, the test runner’s) as a parent', async () => {
    const transport = createIpcTransport();
    expect(transport.name).toBe('ipc');
    await transport.connect({ group: 'master' });
    await transport.subscribe('master');
    expect(transport.stats().parent).toBeUndefined();
    await transport.close();
    expect(transport.isClosed).toBe(true);
  });

  it('describes a module that exports restoreTransport', async () => {
    const transport = createIpcTransport();
    const descriptor = transport.describe();
    const module = (await import(descriptor.module)) as Record<string, unknown>;
    expect(typeof module.restoreTransport).toBe('function');
    expect(descriptor.options).toEqual({
      maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES,
      maxFrameBytes: 16 * 1024 * 1024,
      maxBatchBytes: 1024 * 1024,
      ackTimeoutMs: 30_000,
      closeTimeoutMs: 2_000,
      maxSubscriptionsPerLink: 10_000,
    });
    await transport.close();
  });

  it('refuses options out of range with a clear error', () => {
    expect(() => createIpcTransport({ maxQueueBytes: -1 })).toThrow(/"maxQueueBytes" -1 is not valid/);
    expect(() => resolveIpcOptions({ maxBatchBytes: 2048, maxFrameBytes: 1024 })).toThrow(
      /at most maxFrameBytes/,
    );
    expect(() => resolveIpcOptions('fast')).toThrow(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION' }),
    );
  });
});

describe('the parent link', () => {
  it('respects the link backpressure: nothing more is written until it drains', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    a.pair.up.writes.length = 0;
    a.pair.up.highWaterMark = 0;
    a.pair.up.isPaused = true;
    a.child.publish('master', 1);
    await waitUntil(() => a.pair.up.writes.length === 1, 'the first write');
    for (let i = 2; i <= 50; i++) a.child.publish('master', i);
    await waitUntil(() => a.child.transport.stats().parent!.isBlocked, 'the parent link to block');
    expect(a.pair.up.writes).toHaveLength(1);
    a.pair.up.resume();
    await root.receivedCount(50, 'all 50 messages');
    expect(a.pair.up.writes).toHaveLength(2);
    expect(root.received.map((m) => m.envelope.data)).toEqual([...Array(50).keys()].map((i) => i + 1));
  });

  it('a subscription the parent never acknowledges fails with ERR_CLUSTR_TIMEOUT', async () => {
    const root = createNode('master');
    const a = link(root, 'a', { ackTimeoutMs: 50 });
    a.pair.up.isPaused = true;
    await expect(a.child.transport.subscribe('x')).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
  });

  it('pending subscriptions fail when the parent goes away', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    a.pair.up.isPaused = true;
    const pending = a.child.transport.subscribe('x');
    a.pair.close();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CLUSTR_TRANSPORT' });
  });

  it('a handler that throws is reported and the other handlers still run', async () => {
    const root = createNode('master');
    await root.transport.subscribe('master');
    root.transport.onMessage(() => {
      throw new Error('boom');
    });
    root.publish('master', 'x');
    await root.receivedCount(1, 'the message');
    await waitUntil(() => root.errors.length === 1, 'the handler error');
    expect(root.errors[0]).toMatchObject({ code: 'ERR_CLUSTR_TRANSPORT' });
  });
});
