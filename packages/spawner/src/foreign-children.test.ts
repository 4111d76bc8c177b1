import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

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

  it('ends the children on SIGTERM even when the program listens to it, but not on a SIGHUP it listens to', async () => {
    const { trackForeignChild } = await import('./foreign-children.js');
    const before = { SIGHUP: process.listeners('SIGHUP'), SIGTERM: process.listeners('SIGTERM') };
    const child = spawn('sleep', ['10'], { detached: true, stdio: 'ignore' });
    trackForeignChild(child);
    const [onHup, onTerm] = (['SIGHUP', 'SIGTERM'] as const).map((signal) =>
      process.listeners(signal).find((listener) => !before[signal].includes(listener)),
    );
    expect(onHup).toBeTypeOf('function');
    expect(onTerm).toBeTypeOf('function');
    // The program's own listeners: it lives on after either signal.
    const reload = () => {};
    const shutdown = () => {};
    process.on('SIGHUP', reload);
    process.on('SIGTERM', shutdown);
    const kill = vi.spyOn(process, 'kill');
    try {
      // Called directly: emitting the signal would run the test runner's listeners too.
      onHup?.('SIGHUP');
      expect(kill).not.toHaveBeenCalled();
      const exited = once(child, 'exit');
      onTerm?.('SIGTERM');
      expect(kill).toHaveBeenCalledWith(-child.pid!, 'SIGTERM');
      expect(await exited).toEqual([null, 'SIGTERM']);
    } finally {
      process.off('SIGHUP', reload);
      process.off('SIGTERM', shutdown);
      child.kill('SIGKILL');
    }
  });
});
