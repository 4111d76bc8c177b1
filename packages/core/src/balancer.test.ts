import { describe, expect, it } from 'vitest';
import { memberRecord } from '../test/member-record.js';
import { Balancer, type BalancerPresence } from './balancer.js';
import type { Member } from './presence-types.js';

/** A member of `group`; `rpc: null` for one that does not listen to its rpc channel (a foreign child). */
const member = (workerId: string, group: string, rpc: string | null = `${workerId}.1`): Member =>
  memberRecord(workerId, { group, ...(rpc === null ? {} : { rpc }) });

function presenceOf(members: Member[]): BalancerPresence & { generation: number; members(): Member[] } {
  return {
    id: 'master',
    generation: 0,
    members: () => members,
    get: (id) => members.find((m) => m.id === id),
  };
}

describe('Balancer.pickChannel (deliver: "one")', () => {
  it('takes the members of a group that listen in turn, as their one: channels', () => {
    const members = [member('w2', 'web'), member('w1', 'web'), member('w3', 'web', null), member('w4', 'db')];
    const balancer = new Balancer(presenceOf(members), () => true);
    const picks = Array.from({ length: 6 }, () => balancer.pickChannel('web'));
    expect(picks).toEqual(['one:w1', 'one:w2', 'one:w1', 'one:w2', 'one:w1', 'one:w2']);
  });

  it('keeps its turn across other picks, and follows presence when it changes', () => {
    const members = [member('w1', 'web'), member('w2', 'web')];
    const presence = presenceOf(members);
    const balancer = new Balancer(presence, () => true);
    expect(balancer.pickChannel('web')).toBe('one:w1');
    expect(balancer.pickChannel('db')).toEqual({ reason: 'no live member of "db" listens' });
    expect(balancer.pickChannel('web')).toBe('one:w2');
    members.push(member('w0', 'web'));
    presence.generation++;
    // The counter goes on over the new candidates (sorted: w0, w1, w2).
    expect([balancer.pickChannel('web'), balancer.pickChannel('web')]).toEqual(['one:w2', 'one:w0']);
    members.splice(0);
    presence.generation++;
    expect(balancer.pickChannel('web')).toEqual({ reason: 'no live member of "web" listens' });
  });
});
