import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

describe('trackForeignChild', () => {
  it('installs one listener per signal for children tracked by two copies of the module', async () => {
    const first = await import('./foreign-children.js');
    vi.resetModules();
    const second = await import('./foreign-children.js');
    expect(second.trackForeignChild).not.toBe(first.trackForeignChild);
    const before = process.listenerCount('SIGTERM');
    const children = [0, 1].map(() => spawn('sleep', ['10'], { detached: true, stdio: 'ignore' }));
    first.trackForeignChild(children[0]!);
    second.trackForeignChild(children[1]!);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);

    const exited = children.map((child) => once(child, 'exit'));
    for (const child of children) first.signalProcessGroup(child, 'SIGTERM');
    await Promise.all(exited);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
