import type { Envelope } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { Confirmations } from './confirmations.js';

const from = (workerId: string, data: unknown): Envelope => ({ meta: { workerId, group: 'g' }, data });

describe('Confirmations', () => {
  it('fires on every n-th matching message with the last one and all n, then counts again', () => {
    const confirmations = new Confirmations();
    const calls: [string | undefined, (string | undefined)[]][] = [];
    confirmations.add(2, 'warm', (last, all) =>
      calls.push([last.meta.workerId, all.map((m) => m.meta.workerId)]),
    );
    for (const id of ['a', 'b', 'c', 'd', 'e']) confirmations.count(from(id, 'warm'));
    expect(calls).toEqual([
      ['b', ['a', 'b']],
      ['d', ['c', 'd']],
    ]);
  });

  it('ignores other identifiers and non-string data', () => {
    const confirmations = new Confirmations();
    let fired = 0;
    confirmations.add(1, 'warm', () => fired++);
    confirmations.count(from('a', 'cold'));
    confirmations.count(from('a', { warm: true }));
    confirmations.count(from('a', 1));
    expect(fired).toBe(0);
  });

  it('keeps counting for the other callbacks when one throws, and returns what was thrown', () => {
    const confirmations = new Confirmations();
    const boom = new Error('boom');
    let fired = 0;
    confirmations.add(1, 'x', () => {
      throw boom;
    });
    confirmations.add(1, 'x', () => fired++);
    expect(confirmations.count(from('a', 'x'))).toEqual([boom]);
    expect(fired).toBe(1);
  });

  it('stops counting after the remover is called', () => {
    const confirmations = new Confirmations();
    let fired = 0;
    const off = confirmations.add(1, 'x', () => fired++);
    off();
    off();
    confirmations.count(from('a', 'x'));
    expect(fired).toBe(0);
  });

  const noop = (): void => undefined;
  it.each<[unknown, unknown, unknown, RegExp]>([
    [0, 'x', noop, /count 0 is not valid/],
    [1.5, 'x', noop, /count 1.5 is not valid/],
    ['2', 'x', noop, /count "2" is not valid/],
    [1, '', noop, /identifier "" is not valid/],
    [1, 7, noop, /identifier 7 is not valid/],
    [1, 'x', 'nope', /callback "nope" is not a function/],
  ])('refuses onConfirmation(%j, %j, %j) with a clear ClustrError', (n, identifier, callback, message) => {
    const add = () => new Confirmations().add(n as never, identifier as never, callback as never);
    expect(add).toThrowError(message);
    expect(add).toThrowError(expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION' }));
  });
});
