import { describe, expect, it } from 'vitest';
import { HandlerList } from './handler-list.js';

const message = { meta: { group: 'master' }, data: 1 };

describe('HandlerList', () => {
  it('delivers to every handler in registration order', () => {
    const list = new HandlerList();
    const order: number[] = [];
    list.add(() => order.push(1));
    list.add(() => order.push(2));
    list.deliver(message);
    expect(order).toEqual([1, 2]);
  });

  it('lets a handler remove itself while delivering, without skipping the next one', () => {
    const list = new HandlerList();
    const order: string[] = [];
    const off = list.add(() => {
      order.push('once');
      off();
    });
    list.add(() => order.push('always'));
    list.deliver(message);
    list.deliver(message);
    expect(order).toEqual(['once', 'always', 'always']);
  });

  it('removes exactly one registration of a handler added twice', () => {
    const list = new HandlerList();
    let calls = 0;
    const handler = () => calls++;
    const off = list.add(handler);
    list.add(handler);
    off();
    off();
    list.deliver(message);
    expect(calls).toBe(1);
    expect(list.size).toBe(1);
  });

  it('returns what throwing handlers threw and still runs the rest', () => {
    const list = new HandlerList();
    const boom = new Error('boom');
    let ran = false;
    list.add(() => {
      throw boom;
    });
    list.add(() => {
      ran = true;
    });
    expect(list.deliver(message)).toEqual([boom]);
    expect(ran).toBe(true);
  });
});
