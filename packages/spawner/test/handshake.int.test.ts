import { spawn as spawnProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { ChildLink } from '@clustr/protocol';
import { EXIT_BAD_HANDSHAKE, type WorkerHandle } from '@clustr/spawner';
import { eventually } from '@clustr-internal/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { watchParentPreload } from '../src/watch-parent-preload.js';
import { fixture, nextEvent, spawn, stopAll, TSX_EXEC_ARGV } from './helpers.js';

afterEach(stopAll);

/** Starts the node-worker fixture as the spawner would, but with the test playing its parent. */
function startByHand() {
  const child = spawnProcess(
    process.execPath,
    [...TSX_EXEC_ARGV, '--require', watchParentPreload(), fixture('node-worker.ts')],
    {
      env: { ...process.env, CLUSTR_WORKER_ID: 'w-hand', CLUSTR_PARENT_ID: 'master', CLUSTR_LINK_FD: '4' },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const link = child.stdio[4] as Duplex;
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('timed out after 10000 ms waiting for the child to exit')),
      10_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  const hello = new Promise<string>((resolve) =>
    link.once('data', (chunk: Buffer) => resolve(chunk.toString())),
  );
  return { child, link, exited, hello, stderr: () => stderr };
}

/** A slot whose child exits as if it refused the handshake, every run, restarted up to twice. */
function spawnRefusing(): WorkerHandle {
  const [handle] = spawn([
    {
      file: fixture('crash.ts'),
      execArgv: TSX_EXEC_ARGV,
      args: [String(EXIT_BAD_HANDSHAKE)],
      restart: { policy: 'on-failure', initialDelayMs: 1, maxRestarts: 2 },
    },
  ]);
  return handle!;
}

describe('the handshake', () => {
  it('a child asks with a hello on its link at start-up', async () => {
    const started = startByHand();
    expect(await started.hello).toBe('{"clustr":1,"type":"hello"}\n');
    started.child.kill('SIGKILL');
    await started.exited;
  });

  it.each([
    ['not a welcome', '{"clustr":1,"type":"ack","id":1}', /expected a welcome frame first, got "ack"/],
    [
      'a welcome without a transport',
      '{"clustr":1,"type":"welcome","workerId":"w-hand","parentId":"master"}',
      /"transport" must be an object/,
    ],
    [
      "someone else's welcome",
      '{"clustr":1,"type":"welcome","workerId":"w-other","parentId":"master","transport":{"name":"t","module":"m","options":{}}}',
      /welcome for w-other, but CLUSTR_WORKER_ID is w-hand/,
    ],
  ])(
    'a malformed handshake (%s) ends the child with a message on stderr and exit code 78',
    async (_, line, reason) => {
      const started = startByHand();
      await started.hello;
      started.link.write(`${line}\n`);
      expect(await started.exited).toBe(EXIT_BAD_HANDSHAKE);
      expect(started.stderr()).toMatch(/clustr: malformed handshake from the parent/);
      expect(started.stderr()).toMatch(reason);
    },
  );

  it('the parent reports a refused handshake once through the handle, however often the slot restarts', async () => {
    const handle = spawnRefusing();
    const errors: string[] = [];
    handle.on('error', (error) => errors.push(`${error.code}: ${error.message}`));
    await nextEvent(handle, 'gave-up', 'the slot to give up after 3 refused handshakes');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /ERR_CLUSTR_SPAWN_FAILED: worker .* refused its parent's handshake \(exit code 78/,
    );
  });

  it('a run is over when its refused handshake is reported: a stop() from that report ends the slot with its exit', async () => {
    const handle = spawnRefusing();
    const seen: unknown[] = [];
    handle.on('restart', () => seen.push('restart'));
    handle.once('error', () => {
      seen.push([handle.state, handle.pid]);
      void handle.stop();
    });
    expect(await handle.exited).toEqual({ code: EXIT_BAD_HANDSHAKE, signal: null });
    expect(handle.state).toBe('stopped');
    expect(seen).toEqual([['restarting', undefined]]);
  });

  it('answers one hello per run: a repeated hello is reported once and never answered again', async () => {
    let welcomes = 0;
    const frames: unknown[] = [];
    const errors: string[] = [];
    const [handle] = spawn([{ file: fixture('hello-thrice.sh'), command: 'bash', restart: 'never' }], {
      adopt(link) {
        const write = link.write.bind(link);
        link.write = (lines) => {
          if (lines.includes('"type":"welcome"')) welcomes++;
          return write(lines);
        };
        link.onFrame((frame) => frames.push(frame));
      },
    });
    handle!.on('error', (error) => errors.push(error.message));
    await eventually(() => frames.length > 0, 'the frame the child wrote on its link after its three hellos');
    expect(welcomes).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/said hello again on the same run: ignored/)]);
  });

  it('keeps the link of a child that closed its fd 4 while its IPC channel is open', async () => {
    const frames: unknown[] = [];
    let link: ChildLink | undefined;
    spawn([{ file: fixture('close-link.sh'), command: 'bash', restart: 'never' }], {
      adopt(adopted) {
        link = adopted;
        adopted.onFrame((frame) => frames.push((frame as { data: unknown }).data));
      },
    });
    await eventually(() => frames.length === 2, 'both frames written on fd 3 after fd 4 was closed');
    expect(frames).toEqual([1, 2]);
    expect(link?.isClosed).toBe(false);
  });
});
