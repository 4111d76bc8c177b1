import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPresenceMessage } from './presence-wire.js';
import {
  describeThrown,
  encodeErrorReply,
  encodeOne,
  encodeReply,
  encodeRequest,
  readRpcMessage,
  requestTail,
} from './rpc-wire.js';

const RUNS = 1000;
const methodArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,20}$/);
const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$/).filter((s) => s !== 'kill');
const groupArb = fc
  .stringMatching(/^[a-z][a-z0-9_-]{0,20}$/)
  .filter((g) => !['public', 'master', 'kill'].includes(g));
const reqIdArb = fc.nat({ max: Number.MAX_SAFE_INTEGER });

/** The rules of the wire restated by hand, the oracle for what the reader accepts. */
function isWellFormed(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const d = data as Record<string, unknown>;
  const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(d.req))
    return (
      isId(d.req.id) &&
      typeof d.req.method === 'string' &&
      /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/.test(d.req.method) &&
      typeof d.req.replyTo === 'string' &&
      /^rpc:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(d.req.replyTo) &&
      'data' in d
    );
  if (isObject(d.res)) {
    if (!isId(d.res.id)) return false;
    if (d.res.error === undefined) return 'data' in d;
    const e = d.res.error;
    return isObject(e) && typeof e.name === 'string' && typeof e.message === 'string';
  }
  return typeof d.one === 'string' && 'data' in d;
}

describe('the rpc wire', () => {
  it('reads back every request, reply, error reply and one-of-group message it builds', () => {
    fc.assert(
      fc.property(reqIdArb, methodArb, idArb, groupArb, fc.jsonValue(), (id, method, caller, group, data) => {
        const dataJson = JSON.stringify(data) ?? 'null';
        const replyTo = `rpc:${caller}`;
        expect(readRpcMessage(JSON.parse(encodeRequest(id, requestTail(method, replyTo), dataJson)))).toEqual(
          {
            kind: 'req',
            id,
            method,
            replyTo,
          },
        );
        expect(readRpcMessage(JSON.parse(encodeReply(id, dataJson)))).toEqual({ kind: 'res', id });
        const error = { name: 'E', message: String(data).slice(0, 50), code: 3 };
        expect(readRpcMessage(JSON.parse(encodeErrorReply(id, error)))).toEqual({ kind: 'err', id, error });
        expect(readRpcMessage(JSON.parse(encodeOne(group, dataJson)))).toEqual({ kind: 'one', group });
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on anything a peer sends, and accepts only what the wire allows', () => {
    const near = fc.record(
      {
        req: fc.record({ id: fc.oneof(reqIdArb, fc.double()), method: fc.string(), replyTo: fc.string() }),
        res: fc.record({ id: fc.anything(), error: fc.anything() }, { requiredKeys: [] }),
        one: fc.oneof(groupArb, fc.string()),
        data: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), near), (value) => {
        const read = readRpcMessage(value);
        if (read !== undefined) expect(isWellFormed(value)).toBe(true);
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('describes whatever a handler throws without throwing, the stack only when asked', () => {
    fc.assert(
      fc.property(fc.anything(), fc.boolean(), (thrown, exposeStack) => {
        const info = describeThrown(thrown, exposeStack);
        expect(typeof info.name).toBe('string');
        expect(typeof info.message).toBe('string');
        if (!exposeStack) expect(info).not.toHaveProperty('stack');
      }),
      { numRuns: RUNS },
    );
    const revoked = Proxy.revocable(new Error('x'), {});
    revoked.revoke();
    expect(describeThrown(revoked.proxy, true).message).toMatch(/cannot be read/);
  });

  it('takes methods and an rpc id in presence records only when well formed', () => {
    const beat = {
      id: 'a',
      workerId: 'a',
      group: 'g',
      host: 'h',
      pid: 1,
      command: 'node',
      file: 'f',
      startedAt: 1,
      restarts: 0,
      state: 'ready',
    };
    expect(readPresenceMessage({ beat: { ...beat, rpc: 'a', methods: ['x', 'y'] } })).toEqual({
      beat: { ...beat, rpc: 'a', methods: ['x', 'y'] },
    });
    for (const bad of [
      { methods: 'x' },
      { methods: ['has space'] },
      { methods: Array(2000).fill('m') },
      { rpc: 'kill' },
      { rpc: 'a b' },
    ])
      expect(readPresenceMessage({ beat: { ...beat, ...bad } })).toBeUndefined();
  });
});
