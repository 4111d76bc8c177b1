/** Any value JSON carries: what `publish` accepts as `data` and what handlers receive. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Who sent a message. */
export interface Meta {
  /** The sender's workerId; absent when the master sent it. */
  workerId?: string;
  /** The sender's group; `"master"` when the master sent it. */
  group: string;
}

/**
 * What a handler receives, exactly the shape of the original clustr-node:
 * `{ meta: { workerId?, group }, data }`.
 *
 * @typeParam T - the type of `data`, when the caller knows it.
 */
export interface Envelope<T = unknown> {
  meta: Meta;
  data: T;
}

/**
 * A sender's meta encoded once: a process reuses it for every message it publishes, so the hot
 * path never serializes the same meta twice.
 */
export interface EncodedMeta {
  readonly meta: Readonly<Meta>;
  /** `JSON.stringify(meta)`. */
  readonly json: string;
}

/** Encodes `meta` once, for {@link EncodedMeta} reuse. */
export function encodeMeta(meta: Meta): EncodedMeta {
  const clean: Meta =
    meta.workerId === undefined ? { group: meta.group } : { workerId: meta.workerId, group: meta.group };
  return { meta: Object.freeze(clean), json: JSON.stringify(clean) };
}
