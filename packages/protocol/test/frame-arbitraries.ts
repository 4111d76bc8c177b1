/**
 * fast-check arbitraries and checks shared by the protocol's property tests. The checks restate
 * the wire contract on their own (literal patterns, not the package's constants), so a bug in
 * `validateFrame` cannot hide behind itself.
 */

import type { JsonValue } from 'fast-check';
import fc from 'fast-check';
import { ClustrError } from '../src/clustr-error.js';
import type { ControlFrame, DataFrame } from '../src/frames.js';
import { killChannel } from '../src/names.js';

const GROUP = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const CHANNEL = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** JSON has one zero: `-0` comes back as `0`, so generated data uses the value JSON gives back. */
function withoutNegativeZero(value: JsonValue): JsonValue {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === 'object' && value !== null) {
    const copy: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      // defineProperty, so that a generated "__proto__" key stays an own property, as JSON.parse makes it.
      Object.defineProperty(copy, key, {
        value: withoutNegativeZero(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return value;
}

export const groupArb = fc.stringMatching(GROUP);
export const workerIdArb = fc.oneof(fc.uuid(), fc.stringMatching(WORKER_ID));
/** Every channel kind: the fixed ones, groups, workerIds and kill channels. */
export const channelArb = fc.oneof(
  fc.constantFrom('public', 'master', 'confirmation'),
  groupArb,
  workerIdArb,
  workerIdArb.map(killChannel),
);
export const metaArb = fc.record({ workerId: workerIdArb, group: groupArb }, { requiredKeys: ['group'] });
/** Any JSON value, with strings over the whole of Unicode. */
export const dataArb = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }).map(withoutNegativeZero);

export const dataFrameArb: fc.Arbitrary<DataFrame> = fc.record({
  clustr: fc.constant(1 as const),
  channel: channelArb,
  meta: metaArb,
  data: dataArb,
});

const channelsArb = fc.array(channelArb, { maxLength: 6 });
const idArb = fc.maxSafeNat();
const descriptorArb = fc.record({
  name: fc.string({ maxLength: 10 }),
  module: fc.string({ maxLength: 40 }),
  options: fc.dictionary(
    fc.string({ maxLength: 8 }).filter((key) => key !== '__proto__'),
    fc.jsonValue({ maxDepth: 2 }).map(withoutNegativeZero),
  ),
});
export const controlFrameArb: fc.Arbitrary<ControlFrame> = fc.oneof(
  fc.record(
    { clustr: fc.constant(1 as const), type: fc.constant('sub' as const), channels: channelsArb, id: idArb },
    { requiredKeys: ['clustr', 'type', 'channels'] },
  ),
  fc.record({ clustr: fc.constant(1 as const), type: fc.constant('unsub' as const), channels: channelsArb }),
  fc.record({ clustr: fc.constant(1 as const), type: fc.constant('ack' as const), id: idArb }),
  fc.record({ clustr: fc.constant(1 as const), type: fc.constant('ready' as const) }),
  fc.record({ clustr: fc.constant(1 as const), type: fc.constant('hello' as const) }),
  fc.record({
    clustr: fc.constant(1 as const),
    type: fc.constant('welcome' as const),
    workerId: workerIdArb,
    parentId: fc.oneof(fc.constant('master'), workerIdArb),
    transport: descriptorArb,
  }),
);

/** Text that is not necessarily well-formed UTF-16: lone surrogates included. */
export const utf16GarbageArb = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 })
  .map((units) => String.fromCharCode(...units));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The meta rule of the wire contract. */
export function isWellFormedMeta(meta: unknown): boolean {
  if (!isRecord(meta) || typeof meta.group !== 'string' || !GROUP.test(meta.group)) return false;
  return meta.workerId === undefined || (typeof meta.workerId === 'string' && WORKER_ID.test(meta.workerId));
}

function isChannelList(value: unknown): boolean {
  return (
    Array.isArray(value) && value.every((channel) => typeof channel === 'string' && CHANNEL.test(channel))
  );
}

/** The frame rules of the wire contract, restated independently of `validateFrame`. */
export function isWellFormedFrame(frame: unknown): boolean {
  if (!isRecord(frame) || frame.clustr !== 1) return false;
  switch (frame.type) {
    case undefined:
      return (
        typeof frame.channel === 'string' &&
        CHANNEL.test(frame.channel) &&
        isWellFormedMeta(frame.meta) &&
        Object.hasOwn(frame, 'data')
      );
    case 'sub':
      return isChannelList(frame.channels) && (frame.id === undefined || isId(frame.id));
    case 'unsub':
      return isChannelList(frame.channels);
    case 'ack':
      return isId(frame.id);
    case 'ready':
      return true;
    case 'hello':
      return true;
    case 'welcome':
      return (
        typeof frame.workerId === 'string' &&
        WORKER_ID.test(frame.workerId) &&
        (frame.parentId === 'master' ||
          (typeof frame.parentId === 'string' && WORKER_ID.test(frame.parentId))) &&
        isRecord(frame.transport) &&
        typeof frame.transport.name === 'string' &&
        typeof frame.transport.module === 'string' &&
        isRecord(frame.transport.options)
      );
    default:
      return false;
  }
}

/**
 * Runs a decoder on outside input: returns what it returned, or undefined when it refused the
 * input with `ERR_CLUSTR_BAD_FRAME`. Any other exception fails the property.
 */
export function decodeOrRefuse<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (error instanceof ClustrError && error.code === 'ERR_CLUSTR_BAD_FRAME') return undefined;
    throw new Error(`a decoder let something other than ERR_CLUSTR_BAD_FRAME escape: ${String(error)}`, {
      cause: error,
    });
  }
}

/** Every path to a value inside `value` (object keys and array indexes), the root excluded. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  }
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...pathsOf(item, [...prefix, key]),
    ]);
  }
  return [];
}

/** A mutation of one place in a parsed frame. */
export type Mutation =
  | { kind: 'delete' }
  | { kind: 'replace'; value: JsonValue }
  | { kind: 'add'; key: string; value: JsonValue };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('replace' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({
    kind: fc.constant('add' as const),
    key: fc.oneof(
      fc.constantFrom('clustr', 'type', 'channel', 'meta', 'data', 'id', 'frames', 'group'),
      fc.string(),
    ),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
);

/** Applies `mutation` at `path` of a copy of `root` (parsed JSON), and returns the copy. */
export function mutate(root: JsonValue, path: (string | number)[], mutation: Mutation): JsonValue {
  const copy = structuredClone(root) as JsonValue;
  let parent = copy as Record<string | number, JsonValue>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, JsonValue>;
  const last = path.at(-1);
  if (last === undefined) {
    if (mutation.kind === 'add' && typeof copy === 'object' && copy !== null && !Array.isArray(copy)) {
      copy[mutation.key] = mutation.value;
    }
    return copy;
  }
  if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (mutation.kind === 'replace') {
    parent[last] = mutation.value;
  } else {
    const target = parent[last];
    if (typeof target === 'object' && target !== null && !Array.isArray(target))
      target[mutation.key] = mutation.value;
    else parent[last] = mutation.value;
  }
  return copy;
}
