import { describe, expect, it } from 'vitest';
import { ClustrError } from './clustr-error.js';
import {
  MAX_RUN_MESSAGES,
  MAX_SUBSCRIPTION_CHANNELS,
  validateEnvelope,
  validateFrame,
} from './validate-frame.js';

const META = { workerId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', group: 'web' };
const DATA_FRAME = { clustr: 1, channel: 'master', meta: META, data: { i: 1 } };

/** Expects `validateFrame`/`validateEnvelope` to refuse `value` with a BAD_FRAME message matching `reason`. */
function expectBad(check: (value: unknown) => unknown, value: unknown, reason: RegExp): void {
  let thrown: unknown;
  try {
    check(value);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${JSON.stringify(value)} to be refused`).toBeInstanceOf(ClustrError);
  expect((thrown as ClustrError).code).toBe('ERR_CLUSTR_BAD_FRAME');
  expect((thrown as ClustrError).message).toMatch(/^bad frame: /);
  expect((thrown as ClustrError).message).toMatch(reason);
}

describe('validateFrame: any frame', () => {
  it.each([null, 1, 'x', [], [DATA_FRAME], true])('refuses the non-object %j', (value) => {
    expectBad(validateFrame, value, /a frame must be a JSON object/);
  });

  it.each([undefined, 2, '1', true, 0])('refuses "clustr": %j', (tag) => {
    expectBad(validateFrame, { ...DATA_FRAME, clustr: tag }, /"clustr" must be 1/);
  });

  it.each(['batch', 'kill', 1, null, ''])('refuses the unknown type %j', (type) => {
    expectBad(validateFrame, { clustr: 1, type }, /unknown frame type/);
  });

  it('returns the very object it was given, extra fields kept', () => {
    const frame = { ...DATA_FRAME, extra: 'ignored' };
    expect(validateFrame(frame)).toBe(frame);
  });
});

describe('validateFrame: data frames', () => {
  it.each([
    ['from a worker', DATA_FRAME],
    [
      'from the master (no workerId)',
      { clustr: 1, channel: 'public', meta: { group: 'master' }, data: 'hi' },
    ],
    ['on a kill channel', { clustr: 1, channel: 'kill:w1', meta: { group: 'master' }, data: 3 }],
    ['with null data', { ...DATA_FRAME, data: null }],
  ])('accepts a frame %s', (_name, frame) => {
    expect(validateFrame(frame)).toBe(frame);
  });

  it.each([undefined, '', 'a b', 'a"b', 5, 'x'.repeat(201)])('refuses the channel %j', (channel) => {
    expectBad(validateFrame, { ...DATA_FRAME, channel }, /"channel" must be a channel name/);
  });

  it.each([undefined, null, 'web', [META]])('refuses the meta %j', (meta) => {
    expectBad(validateFrame, { ...DATA_FRAME, meta }, /"meta" must be an object/);
  });

  it.each([undefined, '', 'a b', 7, '-web'])('refuses meta.group %j', (group) => {
    expectBad(validateFrame, { ...DATA_FRAME, meta: { group } }, /"meta.group" must be a group name/);
  });

  it.each([null, '', 'a:b', 12, 'x'.repeat(129)])('refuses meta.workerId %j', (workerId) => {
    expectBad(validateFrame, { ...DATA_FRAME, meta: { group: 'web', workerId } }, /"meta.workerId"/);
  });

  it('refuses a frame without data', () => {
    const { data: _data, ...frame } = DATA_FRAME;
    expectBad(validateFrame, frame, /"data" is missing/);
  });

  it('finds data only as an own property', () => {
    const { data: _data, ...frame } = DATA_FRAME;
    expectBad(validateFrame, Object.assign(Object.create({ data: 1 }), frame), /"data" is missing/);
  });
});

describe('validateFrame: control frames', () => {
  it.each([
    { clustr: 1, type: 'sub', channels: ['public', 'web', 'kill:w1'] },
    { clustr: 1, type: 'sub', channels: [], id: 0 },
    { clustr: 1, type: 'sub', channels: ['a'], id: Number.MAX_SAFE_INTEGER },
    { clustr: 1, type: 'unsub', channels: ['web'] },
    { clustr: 1, type: 'ack', id: 7 },
    { clustr: 1, type: 'ready' },
  ])('accepts %j', (frame) => {
    expect(validateFrame(frame)).toBe(frame);
  });

  it.each(['sub', 'unsub'])('%s: refuses bad channel lists', (type) => {
    expectBad(validateFrame, { clustr: 1, type }, /"channels" must be an array/);
    expectBad(validateFrame, { clustr: 1, type, channels: 'web' }, /"channels" must be an array/);
    expectBad(validateFrame, { clustr: 1, type, channels: ['web', 3] }, /invalid channel name \(got 3\)/);
    expectBad(validateFrame, { clustr: 1, type, channels: ['a b'] }, /invalid channel name/);
    const tooMany = Array.from({ length: MAX_SUBSCRIPTION_CHANNELS + 1 }, (_, i) => `c${i}`);
    expectBad(validateFrame, { clustr: 1, type, channels: tooMany }, /at most 10000 channel names/);
    expect(() => validateFrame({ clustr: 1, type, channels: tooMany.slice(1) })).not.toThrow();
  });

  it.each([-1, 1.5, '1', null, Number.MAX_SAFE_INTEGER + 1])('refuses the id %j on sub and ack', (id) => {
    expectBad(
      validateFrame,
      { clustr: 1, type: 'sub', channels: [], id },
      /"id" must be a non-negative integer/,
    );
    expectBad(validateFrame, { clustr: 1, type: 'ack', id }, /"id" must be a non-negative integer/);
  });

  it('refuses an ack without id', () => {
    expectBad(validateFrame, { clustr: 1, type: 'ack' }, /"id"/);
  });
});

describe('validateFrame: run frames', () => {
  const run = { clustr: 1, channel: 'web', meta: { group: 'master' }, run: [1, { a: 2 }, null] };

  it('accepts a run of messages on one channel from one sender', () => {
    expect(validateFrame(run)).toBe(run);
  });

  it('refuses a run that is not a non-empty array of at most MAX_RUN_MESSAGES', () => {
    expectBad(validateFrame, { ...run, run: [] }, /"run" must be an array of 1 to 100000 messages/);
    expectBad(validateFrame, { ...run, run: { 0: 1 } }, /"run" must be an array/);
    expectBad(validateFrame, { ...run, run: new Array(MAX_RUN_MESSAGES + 1).fill(0) }, /"run" must be/);
    expect(() => validateFrame({ ...run, run: new Array(MAX_RUN_MESSAGES).fill(0) })).not.toThrow();
  });

  it('refuses a frame that carries both data and run', () => {
    expectBad(validateFrame, { ...run, data: 1 }, /"data" or "run", not both/);
    expectBad(validateFrame, { ...run, data: 1, run: null }, /"data" or "run", not both/);
  });

  it('checks the channel and the meta of a run as of a data frame', () => {
    expectBad(validateFrame, { ...run, channel: 'no space' }, /"channel" must be a channel name/);
    expectBad(validateFrame, { ...run, meta: { group: 7 } }, /"meta.group" must be a group name/);
  });
});

describe('validateFrame: the handshake', () => {
  const welcome = {
    clustr: 1,
    type: 'welcome',
    workerId: 'w-1',
    parentId: 'master',
    transport: { name: 'ipc', module: 'file:///x.js', options: {} },
  };

  it('accepts a hello and a welcome', () => {
    expect(validateFrame({ clustr: 1, type: 'hello' })).toEqual({ clustr: 1, type: 'hello' });
    expect(validateFrame(welcome)).toBe(welcome);
    expect(() => validateFrame({ ...welcome, parentId: 'w-0' })).not.toThrow();
  });

  it('refuses a welcome without a valid workerId, parentId or descriptor', () => {
    expectBad(validateFrame, { ...welcome, workerId: 'a b' }, /"workerId" must be a workerId/);
    expectBad(validateFrame, { ...welcome, parentId: 7 }, /"parentId" must be "master" or a workerId/);
    expectBad(validateFrame, { ...welcome, transport: 'ipc' }, /"transport" must be an object/);
    expectBad(validateFrame, { ...welcome, transport: { name: 'ipc', module: 'x' } }, /"transport" must be/);
  });

  it('refuses a batch: the link carries one frame per line', () => {
    expectBad(validateFrame, { clustr: 1, type: 'batch', frames: [] }, /unknown frame type/);
  });
});

describe('validateEnvelope', () => {
  it('accepts envelopes from workers and the master, extra fields kept', () => {
    const envelope = { meta: META, data: [1], extra: true };
    expect(validateEnvelope(envelope)).toBe(envelope);
    expect(() => validateEnvelope({ meta: { group: 'master' }, data: null })).not.toThrow();
  });

  it('refuses what is not an envelope', () => {
    expectBad(validateEnvelope, 3, /an envelope must be a JSON object/);
    expectBad(validateEnvelope, [], /an envelope must be a JSON object/);
    expectBad(validateEnvelope, { data: 1 }, /"meta" must be an object/);
    expectBad(validateEnvelope, { meta: { group: 'a b' }, data: 1 }, /"meta.group"/);
    expectBad(validateEnvelope, { meta: { group: 'web', workerId: 5 }, data: 1 }, /"meta.workerId"/);
    expectBad(validateEnvelope, { meta: META }, /"data" is missing/);
  });
});
