import { encodeData, encodeMeta } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { probe } from './kit-probe.js';
import { createMemoryBus } from './memory-bus.js';
import { createMemoryTransport } from './memory-transport.js';
import { testTransport } from './transport-kit.js';

const MAX_BYTES = 4096;
// One bus for the kit: the transports it makes are one cluster; each kit test uses channels of its own.
const kitBus = createMemoryBus();

testTransport('memory', () => createMemoryTransport({ bus: kitBus, maxMessageBytes: MAX_BYTES }), {
  maxMessageBytes: MAX_BYTES,
  isShared: true,
});

describe('createMemoryTransport', () => {
  it('keeps buses apart: a transport on another bus receives nothing', async () => {
    const bus = createMemoryBus();
    const a = createMemoryTransport({ bus });
    const b = createMemoryTransport({ bus });
    const other = createMemoryTransport();
    const seenB = probe(b, 1000);
    const seenOther = probe(other, 1000);
    await Promise.all([b.subscribe('public'), other.subscribe('public')]);
    a.publish('public', encodeMeta({ group: 'master' }), encodeData('hi'));
    await seenB.message('public', 'hi');
    // Nothing was ever sent on other's bus, so nothing can be pending for it.
    expect(seenOther.messages).toEqual([]);
    expect(a.published.map((p) => p.dataJson)).toEqual(['"hi"']);
    await Promise.all([a.close(), b.close(), other.close()]);
  });
});
