import { describe, expect, it } from 'vitest';
import { ClustrError } from './clustr-error.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  decodeEnvelope,
  decodeFrame,
  encodeControlFrame,
  encodeData,
  encodeDataFrame,
  encodeEnvelope,
  encodeRunFrame,
} from './codec.js';
import { encodeMeta } from './envelope.js';

/** Runs `action`, expects a ClustrError with `code` and returns it. */
function caught(action: () => unknown, code: ClustrError['code']): ClustrError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ClustrError);
    expect((error as ClustrError).code).toBe(code);
    return error as ClustrError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const ALLOWED = 'allowed: anything JSON can carry';

describe('encodeData', () => {
  it('encodes what JSON carries, following JSON for properties it leaves out', () => {
    expect(encodeData({ a: 1, b: [true, null, 'x'] })).toBe('{"a":1,"b":[true,null,"x"]}');
    expect(encodeData('hi')).toBe('"hi"');
    expect(encodeData(null)).toBe('null');
    expect(encodeData({ gone: undefined, fn() {}, kept: 1 })).toBe('{"kept":1}');
    expect(encodeData([Number.NaN, Number.POSITIVE_INFINITY, undefined])).toBe('[null,null,null]');
    expect(encodeData(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(encodeData(nested(500))).toBe(JSON.stringify(nested(500)));
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['a function', function send() {}],
    ['a symbol', Symbol('s')],
  ])('refuses %s as the whole value', (_name, value) => {
    const error = caught(() => encodeData(value), 'ERR_CLUSTR_INVALID_DATA');
    expect(error.message).toMatch(
      /^message data (undefined|a function \(send\)|a symbol \(s\)) cannot be sent: JSON cannot carry it/,
    );
    expect(error.message).toContain(ALLOWED);
  });

  it.each<[string, unknown]>([
    ['at the top', 10n],
    ['in an object', { count: 10n }],
    ['deep in an array', [1, [2, { n: [3n] }]]],
  ])('refuses a BigInt %s', (_name, value) => {
    const error = caught(() => encodeData(value), 'ERR_CLUSTR_INVALID_DATA');
    expect(error.message).toContain('BigInt');
    expect(error.message).toContain(ALLOWED);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('refuses cycles', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const error = caught(() => encodeData({ wrapper: cycle }), 'ERR_CLUSTR_INVALID_DATA');
    expect(error.message).toContain('circular');
  });

  it('refuses nesting too deep to serialize, with a message that says so', () => {
    const error = caught(() => encodeData(nested(200_000)), 'ERR_CLUSTR_INVALID_DATA');
    expect(error.message).toBe(
      `message data an object cannot be sent: it is nested too deep to serialize (${ALLOWED} — objects, arrays, strings, finite numbers, booleans, null)`,
    );
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it('refuses a value whose toJSON leaves nothing to send (it would break the frame)', () => {
    const error = caught(() => encodeData({ toJSON: () => undefined }), 'ERR_CLUSTR_INVALID_DATA');
    expect(error.message).toContain('serializes to nothing');
  });

  it('wraps a throwing toJSON or getter', () => {
    const value = {
      toJSON: () => {
        throw new Error('not now');
      },
    };
    expect(caught(() => encodeData(value), 'ERR_CLUSTR_INVALID_DATA').message).toContain('not now');
    const range = {
      toJSON: () => {
        throw new RangeError('out of range');
      },
    };
    expect(caught(() => encodeData(range), 'ERR_CLUSTR_INVALID_DATA').message).toContain('out of range');
    const odd = {
      toJSON: () => {
        throw Object.create(null);
      },
    };
    expect(caught(() => encodeData(odd), 'ERR_CLUSTR_INVALID_DATA').message).toContain(
      'cannot be sent: it threw {}',
    );
  });
});

describe('encodeDataFrame and encodeEnvelope', () => {
  const metas = [encodeMeta({ workerId: 'w-1', group: 'web' }), encodeMeta({ group: 'master' })];
  const datas: unknown[] = [
    null,
    0,
    -2.5e-7,
    'line\nbreak "quoted" \u2028 é 😀',
    [1, [2]],
    { a: { b: [] } },
    {},
  ];

  it('produce exactly what JSON.stringify of the equivalent object produces', () => {
    for (const meta of metas) {
      for (const data of datas) {
        const dataJson = encodeData(data);
        for (const channel of ['public', 'kill:w-1', 'w-1']) {
          expect(encodeDataFrame(channel, meta.json, dataJson)).toBe(
            JSON.stringify({ clustr: 1, channel, meta: meta.meta, data }),
          );
        }
        expect(encodeEnvelope(meta.json, dataJson)).toBe(JSON.stringify({ meta: meta.meta, data }));
      }
    }
  });

  it('produce lines that decode to the same frame and envelope', () => {
    const meta = metas[0]!;
    const line = encodeDataFrame('master', meta.json, encodeData({ i: 1 }));
    expect(decodeFrame(line)).toEqual({ clustr: 1, channel: 'master', meta: meta.meta, data: { i: 1 } });
    expect(decodeEnvelope(encodeEnvelope(meta.json, '3'))).toEqual({ meta: meta.meta, data: 3 });
  });
});

describe('encodeMeta', () => {
  it('encodes meta once, in a fixed order, leaving out an absent workerId', () => {
    const encoded = encodeMeta({ group: 'web', workerId: 'w1' });
    expect(encoded.json).toBe('{"workerId":"w1","group":"web"}');
    expect(Object.isFrozen(encoded.meta)).toBe(true);
    expect(encodeMeta({ group: 'master', workerId: undefined }).json).toBe('{"group":"master"}');
    const extra = { group: 'web', note: 'dropped' } as { group: string };
    expect(encodeMeta(extra).json).toBe('{"group":"web"}');
  });
});

describe('encodeRunFrame', () => {
  it('builds, byte for byte, what JSON.stringify gives for a run frame, and decodes back', () => {
    const line = encodeRunFrame('web', '{"group":"master"}', ['1', '{"a":[2]}', 'null']);
    const run = { clustr: 1, channel: 'web', meta: { group: 'master' }, run: [1, { a: [2] }, null] };
    expect(line).toBe(JSON.stringify(run));
    expect(decodeFrame(line)).toEqual(run);
  });
});

describe('encodeControlFrame', () => {
  it('encode control frames as plain JSON', () => {
    expect(encodeControlFrame({ clustr: 1, type: 'sub', channels: ['public'], id: 3 })).toBe(
      '{"clustr":1,"type":"sub","channels":["public"],"id":3}',
    );
    expect(encodeControlFrame({ clustr: 1, type: 'ready' })).toBe('{"clustr":1,"type":"ready"}');
  });
});

describe('decodeFrame and decodeEnvelope', () => {
  const line = '{"clustr":1,"type":"ack","id":4}';

  it('decode strings and bytes alike', () => {
    expect(decodeFrame(line)).toEqual({ clustr: 1, type: 'ack', id: 4 });
    expect(decodeFrame(new TextEncoder().encode(line))).toEqual({ clustr: 1, type: 'ack', id: 4 });
    expect(decodeEnvelope(Buffer.from('{"meta":{"group":"ops"},"data":"hi"}'))).toEqual({
      meta: { group: 'ops' },
      data: 'hi',
    });
  });

  it('refuses what is not JSON, naming it', () => {
    const error = caught(() => decodeFrame('echo hello'), 'ERR_CLUSTR_BAD_FRAME');
    expect(error.message).toBe('frame is not JSON: "echo hello"');
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(caught(() => decodeEnvelope(''), 'ERR_CLUSTR_BAD_FRAME').message).toContain(
      'envelope is not JSON',
    );
    expect(caught(() => decodeFrame(new Uint8Array([0xff, 0xfe])), 'ERR_CLUSTR_BAD_FRAME').message).toContain(
      'not JSON',
    );
  });

  it('refuses valid JSON that is not a frame or envelope', () => {
    expect(caught(() => decodeFrame('{"type":"ack","id":1}'), 'ERR_CLUSTR_BAD_FRAME').message).toContain(
      '"clustr"',
    );
    expect(caught(() => decodeEnvelope('3'), 'ERR_CLUSTR_BAD_FRAME').message).toContain('envelope');
  });

  it('refuses input larger than maxBytes, counting bytes, not characters', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(16 * 1024 * 1024);
    const error = caught(() => decodeFrame(line, line.length - 1), 'ERR_CLUSTR_BAD_FRAME');
    expect(error.message).toBe(
      `frame of ${line.length} bytes is larger than the limit of ${line.length - 1} bytes`,
    );
    expect(error.details).toEqual({ size: line.length, maxBytes: line.length - 1 });
    expect(decodeFrame(line, line.length)).toEqual({ clustr: 1, type: 'ack', id: 4 });

    const wide = '{"meta":{"group":"g"},"data":"éé😀"}';
    const bytes = Buffer.byteLength(wide);
    expect(bytes).toBeGreaterThan(wide.length);
    expect(decodeEnvelope(wide, bytes)).toEqual({ meta: { group: 'g' }, data: 'éé😀' });
    expect(caught(() => decodeEnvelope(wide, bytes - 1), 'ERR_CLUSTR_BAD_FRAME').details).toEqual({
      size: bytes,
      maxBytes: bytes - 1,
    });
    expect(caught(() => decodeEnvelope(Buffer.from(wide), bytes - 1), 'ERR_CLUSTR_BAD_FRAME').code).toBe(
      'ERR_CLUSTR_BAD_FRAME',
    );
  });

  it('refuses deeply nested input without a stack overflow escaping', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(caught(() => decodeFrame(deep), 'ERR_CLUSTR_BAD_FRAME').message).toContain(
      'a frame must be a JSON object',
    );
    const deepGroup = `{"clustr":1,"channel":"a","meta":{"group":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}},"data":1}`;
    expect(caught(() => decodeFrame(deepGroup), 'ERR_CLUSTR_BAD_FRAME').message).toContain('"meta.group"');
  });
});
