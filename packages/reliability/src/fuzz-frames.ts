import fc from 'fast-check';
import { isBadLine, judgePayload } from './frame-oracle.js';

/** One generated line or payload, the family it came from, and how many bad frames it holds. */
export interface Fuzzed {
  family: string;
  bytes: Buffer;
  frames: number;
}

const META = '{"workerId":"w-1","group":"g"}';
const noNewline = (bytes: Uint8Array) => Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b)));
const nest = (depth: number, inner: string) => '['.repeat(depth) + inner + ']'.repeat(depth);
const RESERVED = [
  '',
  ' public',
  'public\u0000',
  '__proto__',
  'constructor',
  ':public',
  'kill:',
  'clustr:',
  '*',
  'x'.repeat(201),
  'a b',
  'master\n',
];

/** The families of hostile input, shared by both transports; `shape` builds a well-formed one. */
function families(shape: (channel: string, meta: string, data: string) => string, hugeBytes: number) {
  return [
    ['random bytes', fc.uint8Array({ minLength: 1, maxLength: 300 }).map(noNewline)],
    [
      'truncated JSON',
      fc
        .tuple(fc.jsonValue({ maxDepth: 3 }), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([data, cut]) => {
          const whole = shape('public', META, JSON.stringify(data) ?? 'null');
          return Buffer.from(whole.slice(0, Math.max(1, Math.floor(whole.length * cut * 0.99))));
        }),
    ],
    [
      'wrong types',
      fc
        .record(
          {
            clustr: fc.oneof(fc.constant(1), fc.constant('1'), fc.constant(true), fc.integer()),
            type: fc.constantFrom(undefined, 'sub', 'unsub', 'ack', 'batch', 'data', 'hello', 7),
            channel: fc.anything({ maxDepth: 2 }),
            meta: fc.oneof(
              fc.anything({ maxDepth: 2 }),
              fc.record({ group: fc.anything(), workerId: fc.anything() }),
            ),
            data: fc.anything({ maxDepth: 2 }),
            channels: fc.anything({ maxDepth: 2 }),
            frames: fc.anything({ maxDepth: 2 }),
            id: fc.anything({ maxDepth: 1 }),
          },
          { requiredKeys: [] },
        )
        .map((value) => Buffer.from(JSON.stringify(value) ?? 'undefined')),
    ],
    [
      'huge strings',
      fc
        .integer({ min: hugeBytes + 1, max: hugeBytes * 2 })
        .map((n) => Buffer.from(shape('public', META, JSON.stringify('x'.repeat(n))))),
    ],
    [
      'deep nesting',
      fc
        .tuple(fc.integer({ min: 500, max: 5_000 }), fc.constantFrom('channel', 'meta', 'frames'))
        .map(([depth, where]) => {
          if (where === 'channel') return Buffer.from(shape(nest(depth, '"public"'), META, '1'));
          if (where === 'meta') return Buffer.from(shape('"public"', nest(depth, META), '1'));
          return Buffer.from(
            `{"clustr":1,"type":"batch","frames":${nest(depth, '1')},"meta":${nest(depth, '{}')}}`,
          );
        }),
    ],
    [
      'reserved names',
      fc
        .tuple(
          fc.constantFrom(...RESERVED),
          fc.constantFrom(...RESERVED, 'master', 'public', 'kill', 'external'),
        )
        .map(([channel, group]) =>
          Buffer.from(shape(JSON.stringify(channel), JSON.stringify({ workerId: channel, group }), '1')),
        ),
    ],
    [
      'prototype keys',
      fc
        .constantFrom('__proto__', 'constructor', 'prototype', 'toString')
        .map((key) =>
          Buffer.from(
            `{"clustr":1,"${key}":{"channel":"public","meta":${META},"data":1},"meta":{"${key}":{"group":"g"}}}`,
          ),
        ),
    ],
  ] as const;
}

function generate(
  count: number,
  seed: number,
  arbs: readonly (readonly [string, fc.Arbitrary<Buffer>])[],
  badFrames: (bytes: Buffer) => number,
): { items: Fuzzed[]; byFamily: Record<string, number>; frames: number } {
  // Few huge ones: they are big, and one of each kind proves the point.
  const weighted = arbs.map(([family, arb]) => ({
    weight: family === 'huge strings' ? 1 : family === 'deep nesting' ? 10 : 100,
    arbitrary: (arb as fc.Arbitrary<Buffer>).map((bytes) => ({ family, bytes })),
  }));
  const all = fc.oneof(...weighted);
  const items: Fuzzed[] = [];
  const byFamily: Record<string, number> = {};
  let frames = 0;
  for (let round = 0; items.length < count && round < 20; round++) {
    for (const item of fc.sample(all, { numRuns: count, seed: seed + round })) {
      const bad = items.length < count ? badFrames(item.bytes) : 0;
      if (bad <= 0) continue;
      items.push({ ...item, frames: bad });
      frames += bad;
      byFamily[item.family] = (byFamily[item.family] ?? 0) + 1;
    }
  }
  return { items, byFamily, frames };
}

/**
 * `count` hostile IPC lines (no newline inside), each one a parent must count as bad — as the
 * independent oracle (`frame-oracle.ts`) judges it, not the validator under test.
 */
export function fuzzIpcLines(count: number, seed: number, maxLineBytes: number) {
  const shape = (channel: string, meta: string, data: string) =>
    `{"clustr":1,"channel":${channel.startsWith('[') || channel.startsWith('"') ? channel : JSON.stringify(channel)},"meta":${meta},"data":${data}}`;
  return generate(count, seed, families(shape, maxLineBytes), (b) =>
    !b.includes(0x0a) && isBadLine(b, maxLineBytes) ? 1 : 0,
  );
}

/**
 * Arrays of envelopes gone wrong (the Redis wire's batch form): elements of the wrong shape,
 * arrays nested inside, empty arrays, envelopes without data or with a bad meta — one to 40 of
 * them in one payload, each element its own bad frame.
 */
function arrays() {
  const element = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    fc.constant(`[{"meta":${META},"data":1}]`),
    fc.constant('[]'),
    fc.jsonValue({ maxDepth: 1 }).map((meta) => `{"meta":${JSON.stringify(meta)},"data":1}`),
    fc.constantFrom(`{"meta":${META}}`, '{"data":1}', `{"meta":{"group":"master\\n"},"data":1}`),
  );
  return fc.oneof(
    fc.array(element, { minLength: 1, maxLength: 40 }).map((items) => Buffer.from(`[${items.join(',')}]`)),
    fc.constant(Buffer.from('[]')),
  );
}

/**
 * Runs gone wrong (the Redis wire's form for one sender's turn): empty, not an array, carrying
 * `data` too, under a bad meta (each one bad frame), or joined as clustr joins them from messages
 * that are not JSON (each message its own bad frame).
 */
function runs() {
  const badMeta = fc.jsonValue({ maxDepth: 1 }).map((meta) => JSON.stringify(meta));
  const items = fc.array(
    fc.jsonValue({ maxDepth: 1 }).map((value) => JSON.stringify(value)),
    {
      minLength: 1,
      maxLength: 20,
    },
  );
  return fc
    .oneof(
      fc.constantFrom(`{"meta":${META},"run":[]}`, `{"meta":${META},"run":{}}`, `{"meta":${META},"run":1}`),
      items.map((list) => `{"meta":${META},"run":[${list.join(',')}],"data":1}`),
      fc.tuple(badMeta, items).map(([meta, list]) => `{"meta":${meta},"run":[${list.join(',')}]}`),
      fc
        .array(fc.constantFrom('{not json', 'undefined', "'x'", '[1', 'NaN'), { minLength: 1, maxLength: 20 })
        .map((list) => `{"meta":${META},"run":[${list.join(',\n')}]}`),
    )
    .map((text) => Buffer.from(text));
}

/**
 * `count` hostile Redis payloads, none of which holds anything a subscriber may deliver (as the
 * oracle judges); each counts as many bad frames as the oracle says (an array one per element, a
 * run that does not parse one per message).
 */
export function fuzzPayloads(count: number, seed: number, maxPayloadBytes: number) {
  const shape = (channel: string, meta: string, data: string) =>
    `{"channel":${channel.startsWith('[') || channel.startsWith('"') ? channel : JSON.stringify(channel)},"meta":${meta},"data":${data}}`;
  const all = [...families(shape, maxPayloadBytes), ['arrays', arrays()] as const, ['runs', runs()] as const];
  return generate(count, seed, all, (b) => {
    const { delivered, bad } = judgePayload(b, maxPayloadBytes);
    return delivered > 0 ? 0 : bad;
  });
}

/** `extra` spread evenly among `main`, each list in its own order. */
export function interleave(main: readonly Buffer[], extra: readonly Buffer[]): Buffer[] {
  const every = Math.max(1, Math.floor(main.length / Math.max(1, extra.length)));
  const out: Buffer[] = [];
  main.forEach((item, i) => {
    if (i % every === 0 && i / every < extra.length) out.push(extra[i / every]!);
    out.push(item);
  });
  return [...out, ...extra.slice(Math.ceil(main.length / every))];
}
