import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPresenceMessage } from './presence-wire.js';
import {
  describeThrown,
  encodeErrorReply,
  encodeReply,
  encodeRequest,
  readRemoteError,
  requestTail,
  rpcKind,
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
  if (isObject(d.res)) {
    if (!isId(d.res.id)) return false;
    return d.res.error === undefined ? 'data' in d : true;
  }
  return (
    isObject(d.req) &&
    isId(d.req.id) &&
    typeof d.req.method === 'string' &&
    /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/.test(d.req.method) &&
    typeof d.req.replyTo === 'string' &&
    /^rpc:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(d.req.replyTo) &&
    'data' in d
  );
}

describe('the rpc wire', () => {
  it('reads back every request, reply and error reply it builds', () => {
    fc.assert(
      fc.property(reqIdArb, methodArb, idArb, fc.jsonValue(), (id, method, caller, data) => {
        const dataJson = JSON.stringify(data) ?? 'null';
        const replyTo = `rpc:${caller}`;
        const request = JSON.parse(encodeRequest(id, requestTail(method, replyTo), dataJson));
        expect(rpcKind(request)).toBe('req');
        expect(request).toEqual({ req: { id, method, replyTo }, data: JSON.parse(dataJson) });
        expect(rpcKind(JSON.parse(encodeReply(id, dataJson)))).toBe('res');
        const error = { name: 'E', message: dataJson.slice(0, 50), code: 3 };
        const failed = JSON.parse(encodeErrorReply(id, error));
        expect(rpcKind(failed)).toBe('err');
        expect(readRemoteError(failed.res.error)).toEqual(error);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on anything a peer sends, and accepts only what the wire allows', () => {
    const near = fc.record(
      {
        req: fc.record({ id: fc.oneof(reqIdArb, fc.double()), method: fc.string(), replyTo: fc.string() }),
        res: fc.record({ id: fc.anything(), error: fc.anything() }, { requiredKeys: [] }),
        // The one-of-group wrapper of old is no kind any more: it has its own channel.
        one: fc.oneof(groupArb, fc.string()),
        data: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), near), (value) => {
        const kind = rpcKind(value);
        if (kind !== undefined) expect(isWellFormed(value)).toBe(true);
        if (kind !== 'err') return;
        const error = readRemoteError((value as { res: { error: unknown } }).res.error);
        if (error !== undefined)
          expect([typeof error.name, typeof error.message]).toEqual(['string', 'string']);
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
