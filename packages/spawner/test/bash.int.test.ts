import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { field, fixture, nextMessage, spawn, spawnAdopted, stopAll, TEST_TRANSPORT } from './helpers.js';

afterEach(stopAll);

describe("command: 'bash'", () => {
  it('runs a bash script that reports through its IPC fd and answers what the parent sends', async () => {
    const { handles, adopted } = spawnAdopted([
      { file: fixture('report.sh'), command: 'bash', readySignal: 'frame', restart: 'never' },
    ]);
    const handle = handles[0]!;
    const user = nextMessage(
      handle,
      (message) => (field('parent')(message) ? message : undefined),
      'the bash user message',
    );
    await handle.ready;
    expect(await user).toEqual({
      parent: 'master',
      welcome: {
        clustr: 1,
        type: 'welcome',
        workerId: handle.workerId,
        parentId: 'master',
        restarts: 0,
        transport: TEST_TRANSPORT,
      },
    });
    // Only what it asked for over its link: nothing of the transport in its environment.
    const environ = readFileSync(`/proc/${handle.pid}/environ`, 'utf8');
    expect(environ).toContain('CLUSTR_LINK_FD=4');
    expect(environ).not.toContain(TEST_TRANSPORT.module);
    expect(adopted.frames).toEqual([
      {
        clustr: 1,
        channel: 'master',
        meta: { workerId: handle.workerId, group: 'bash' },
        data: { hello: 'from bash', pid: handle.pid },
      },
    ]);
    handle.send({ ping: [1, 2, 3] });
    expect(await nextMessage(handle, field('echo'), 'the bash echo')).toEqual({ ping: [1, 2, 3] });
    expect(adopted.badInput).toEqual([]);
    expect(await handle.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('counts as ready at spawn by default', async () => {
    const [handle] = spawn([{ file: fixture('report.sh'), command: 'bash' }]);
    await handle!.ready;
    expect(handle!.state).toBe('running');
  });

  it('reports garbage lines as bad input, survives them, and still delivers later lines', async () => {
    const { handles, adopted } = spawnAdopted([
      { file: fixture('garbage.sh'), command: 'bash', maxLineBytes: 100, restart: 'never' },
    ]);
    const handle = handles[0]!;
    await nextMessage(handle, field('still'), 'the valid line after the garbage');
    expect(adopted.badInput.map((error) => error.code)).toEqual([
      'ERR_CLUSTR_BAD_FRAME',
      'ERR_CLUSTR_BAD_FRAME',
      'ERR_CLUSTR_BAD_FRAME',
    ]);
    expect(adopted.badInput[0]?.message).toContain('"this is not json"');
    expect(adopted.badInput[2]?.message).toContain('200 bytes');
    expect(adopted.frames).toEqual([
      { clustr: 1, channel: 'public', meta: { group: 'bash' }, data: 'after garbage' },
    ]);
    handle.send('bye');
    expect(await handle.exited).toEqual({ code: 0, signal: null });
  });

  it("sends bad input no link handler takes to the handle's 'error'", async () => {
    const [handle] = spawn([{ file: fixture('garbage.sh'), command: 'bash', maxLineBytes: 100 }]);
    const errors: unknown[] = [];
    handle!.on('error', (error) => errors.push(error));
    await nextMessage(handle!, field('still'), 'the valid line after the garbage');
    expect(errors).toEqual([
      expect.objectContaining({ code: 'ERR_CLUSTR_BAD_FRAME' }),
      expect.objectContaining({ code: 'ERR_CLUSTR_BAD_FRAME' }),
      expect.objectContaining({ code: 'ERR_CLUSTR_BAD_FRAME' }),
    ]);
  });
});
