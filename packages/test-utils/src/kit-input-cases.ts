import { ClustrError, isClustrError } from '@clustr/protocol';
import { expect, it } from 'vitest';
import { freshChannel, KIT_META, openProbed, send } from './kit-probe.js';
import type { KitContext } from './transport-kit.js';

/** Runs `call`, proving it does not throw, and returns the promise it made. */
export function settlesWithoutThrowing<T>(call: () => Promise<T>): Promise<T> {
  let result: Promise<T> | undefined;
  expect(() => {
    result = call();
  }).not.toThrow();
  expect(result).toBeInstanceOf(Promise);
  return result as Promise<T>;
}

/** The reject-vs-throw rule on bad input, and the size limit. */
export function inputCases(kit: KitContext): void {
  it.each<[string, unknown]>([
    ['an empty name', ''],
    ['a name with a space', 'has space'],
    ['a number', 42],
    ['undefined', undefined],
  ])(
    'rejects subscribe to %s with ERR_CLUSTR_INVALID_CHANNEL, never throwing, and keeps working',
    async (_what, channel) => {
      const fence = freshChannel('fence');
      const { transport, probe: seen } = await openProbed(kit, [fence]);
      const subscribed = settlesWithoutThrowing(() => transport.subscribe(channel as string));
      await expect(subscribed).rejects.toSatisfy(
        (error: unknown) => error instanceof ClustrError && error.code === 'ERR_CLUSTR_INVALID_CHANNEL',
      );
      send(transport, fence, 'still works');
      await seen.message(fence, 'still works');
    },
  );

  it('resolves unsubscribe of a channel that was never subscribed', async () => {
    const { transport } = await openProbed(kit, []);
    await settlesWithoutThrowing(() => transport.unsubscribe(freshChannel('never')));
  });

  it('never throws from publish: data that is not JSON is reported through onError, later messages flow', async () => {
    const channel = freshChannel('garbage');
    const { transport, probe: seen } = await openProbed(kit, [channel]);
    expect(() => transport.publish(channel, KIT_META, '{not json')).not.toThrow();
    expect(() => transport.publish('not a channel', KIT_META, '1')).not.toThrow();
    send(transport, channel, 'after');
    await seen.message(channel, 'after');
    await seen.error(isClustrError, 'a ClustrError about the data that is not JSON');
    expect(seen.dataOn(channel)).toEqual(['after']);
  });

  it('delivers a message of half the size limit intact', async () => {
    const channel = freshChannel('half');
    const { transport, probe: seen } = await openProbed(kit, [channel]);
    const data = 'h'.repeat(Math.floor(kit.maxMessageBytes / 2));
    send(transport, channel, data);
    await seen.message(channel, data);
  });

  it('drops a message over the size limit, reports it, and delivers later messages', async () => {
    const channel = freshChannel('big');
    const { transport, probe: seen } = await openProbed(kit, [channel]);
    expect(() => send(transport, channel, 'x'.repeat(kit.maxMessageBytes * 2))).not.toThrow();
    send(transport, channel, 'after');
    await seen.message(channel, 'after');
    await seen.error((error) => error.code === kit.tooLargeCode, `an error with code ${kit.tooLargeCode}`);
    expect(seen.dataOn(channel)).toEqual(['after']);
  });
}
