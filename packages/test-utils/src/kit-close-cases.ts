import { ClustrError } from '@clustr/protocol';
import { expect, it } from 'vitest';
import { settlesWithoutThrowing } from './kit-input-cases.js';
import { freshChannel, openProbed, send } from './kit-probe.js';
import type { KitContext } from './transport-kit.js';

const isClosedError = (error: unknown) => error instanceof ClustrError && error.code === 'ERR_CLUSTR_CLOSED';

/** close(): idempotent, and what every method does afterwards. */
export function closeCases(kit: KitContext): void {
  it('resolves close called twice at once and again afterwards', async () => {
    const { transport } = await openProbed(kit, [freshChannel('close')]);
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
  });

  it('rejects subscribe and connect after close with ERR_CLUSTR_CLOSED, never throwing; unsubscribe resolves', async () => {
    const channel = freshChannel('closed');
    const { transport } = await openProbed(kit, [channel]);
    await transport.close();
    await expect(settlesWithoutThrowing(() => transport.subscribe(freshChannel('late')))).rejects.toSatisfy(
      isClosedError,
    );
    await expect(settlesWithoutThrowing(() => transport.connect({ group: 'kit' }))).rejects.toSatisfy(
      isClosedError,
    );
    await settlesWithoutThrowing(() => transport.unsubscribe(channel));
  });

  it('neither throws nor delivers on publish after close (proved by a fence through a fresh transport)', async () => {
    const channel = freshChannel('after-close');
    const closed = await openProbed(kit, [channel]);
    await closed.transport.close();
    expect(() => send(closed.transport, channel, 'after close')).not.toThrow();
    const witness = await openProbed(kit, [channel], { workerId: 'kit-witness', group: 'kit' });
    send(witness.transport, channel, 'fence');
    await witness.probe.message(channel, 'fence');
    expect(closed.probe.messages).toEqual([]);
    expect(witness.probe.dataOn(channel)).toEqual(['fence']);
  });

  it('settles a connect in progress when close is called (resolved, or rejected with ERR_CLUSTR_CLOSED)', async () => {
    const transport = await kit.make();
    const connecting = transport.connect({ group: 'kit' });
    await transport.close();
    await connecting.then(
      () => undefined,
      (error: unknown) => expect(isClosedError(error)).toBe(true),
    );
  });
}
