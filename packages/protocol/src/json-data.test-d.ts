import { expectTypeOf, test } from 'vitest';
import type { JsonValue } from './envelope.js';
import type { JsonData } from './json-data.js';

declare function publish<T = unknown>(channel: string, data: T & JsonData<T>): void;

interface Job {
  id: number;
  note?: string;
  tags: readonly string[];
  when: Date;
  nested: { steps?: { done: boolean }[] };
}

test('JSON data passes: plain objects, arrays, interfaces with optional fields, JsonValue, unknown', () => {
  const job: Job = { id: 1, tags: [], when: new Date(), nested: {} };
  publish('x', job);
  publish('x', { a: 1, b: [1, 'two', null, { c: true }] });
  publish('x', 'text');
  publish('x', [1, 2] as const);
  publish('x', {} as Record<string, number>);
  publish('x', null as JsonValue);
  publish('x', undefined as unknown);
  publish<{ job: number }>('x', { job: 1 });
  expectTypeOf<JsonData<Job>>().not.toBeNever();
});

test('what JSON cannot carry is a type error, at the top or inside', () => {
  // @ts-expect-error a function
  publish('x', () => 1);
  // @ts-expect-error a BigInt
  publish('x', 1n);
  // @ts-expect-error undefined as the whole value
  publish('x', undefined);
  // @ts-expect-error a BigInt inside
  publish('x', { id: 1n });
  // @ts-expect-error a function property
  publish('x', { run: () => 1 });
  // @ts-expect-error a symbol in an array
  publish('x', [Symbol('s')]);
  // @ts-expect-error a Map (its methods)
  publish('x', new Map<string, number>());
  expectTypeOf<JsonData<bigint>>().toBeNever();
  expectTypeOf<JsonData<() => number>>().toBeNever();
});
