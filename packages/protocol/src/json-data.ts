import type { JsonValue } from './envelope.js';

/**
 * `T` where JSON can carry it, `never` where it cannot: what `publish` accepts as `data`.
 * Unlike {@link JsonValue} it admits interfaces and optional fields (left out, as JSON does),
 * and `Date` and other values with `toJSON()`; a function, a symbol, a BigInt or `undefined`
 * as the value, or anywhere inside it, makes it `never`. `unknown` passes: it is checked when
 * `publish` encodes it (`ERR_CLUSTR_INVALID_DATA`).
 *
 * @typeParam T - the type of the data, inferred from the call.
 * @example
 * declare function publish<T>(channel: string, data: T & JsonData<T>): void;
 * publish('jobs', { id: 1, note: undefined }); // ok
 * publish('jobs', { id: 1n }); // type error: BigInt
 */
export type JsonData<T> = unknown extends T
  ? T
  : T extends JsonValue
    ? T
    : T extends bigint | symbol | ((...args: never[]) => unknown)
      ? never
      : T extends { toJSON(): unknown }
        ? T
        : T extends object
          ? { [K in keyof T]: JsonMember<T[K]> }
          : never;

// A property or element may be undefined: JSON leaves the property out (an element becomes null).
type JsonMember<T> = T extends undefined ? undefined : JsonData<T>;
