import { type ClustrError, type Envelope, encodeData, encodeMeta } from '@clustr/protocol';
import type { WorkerHandle } from '@clustr/spawner';
import { afterEach, describe, expect, it } from 'vitest';
import { createIpcTransport } from '../src/index.js';
import type { IpcTransport } from '../src/ipc-transport-type.js';
import { BASH_FIXTURE, spawnChild } from './spawn-child.js';

const masterMeta = encodeMeta({ group: 'master' });

const handles: WorkerHandle[] = [];
const transports: IpcTransport[] = [];

afterEach(async () => {
  for (const transport of transports.splice(0)) await transport.close();
  await Promise.all(handles.splice(0).map((handle) => handle.stop({ signal: 'SIGKILL', timeoutMs: 0 })));
});

function start(transport: IpcTransport, spec?: Record<string, unknown>): WorkerHandle {
  const handle = spawnChild(transport, spec);
  handles.push(handle);
  return handle;
}

function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the first message on `channel` that `match` accepts. */
function next(
  transport: IpcTransport,
  match: (data: Record<string, unknown>) => boolean,
  what: string,
): Promise<Envelope> {
  return within(
    new Promise((resolve) => {
      const off = transport.onMessage((_channel, envelope) => {
        if (match(envelope.data as Record<string, unknown>)) {
          off();
          resolve(envelope);
        }
      });
    }),
    what,
  );
}

function nextError(transport: IpcTransport, what: string): Promise<ClustrError> {
  return within(
    new Promise((resolve) => {
      const off = transport.onError((error) => {
        off();
        resolve(error);
      });
    }),
    what,
  );
}

describe('IPC transport across real processes', () => {
  it('carries messages parent → child and child → parent over the link; garbage is reported', async () => {
    const master = createIpcTransport();
    transports.push(master);
    const errors: ClustrError[] = [];
    master.onError((error) => errors.push(error));
    await master.connect({ group: 'master' });
    await master.subscribe('master');

    const ready = next(master, (data) => data.ready === true, 'the child to report ready');
    const child = start(master);
    const { workerId } = child;
    const readyEnvelope = await ready;
    expect(readyEnvelope.meta).toEqual({ workerId, group: 'kid' });

    const echoed = next(master, (data) => data.echo === 'hello', 'the echo from the child');
    master.publish(workerId, masterMeta, encodeData({ cmd: 'echo', text: 'hello' }));
    expect((await echoed).data).toMatchObject({ channel: workerId, from: { group: 'master' } });
    expect(master.stats().children[workerId]!.framesReceived).toBeGreaterThanOrEqual(2);

    const badInput = nextError(master, 'the garbage line to be reported');
    const garbageDone = next(master, (data) => data.garbage === 'sent', 'the message sent after the garbage');
    master.publish(workerId, masterMeta, encodeData({ cmd: 'garbage' }));
    expect((await badInput).code).toBe('ERR_CLUSTR_BAD_FRAME');
    await garbageDone;
    expect(master.stats().children[workerId]!.badFrames).toBe(1);

    // process.send traffic travels on the child's IPC channel, beside the link, untouched.
    const userMessage = within(
      new Promise((resolve) => child.once('message', resolve)),
      "the child's process.send message",
    );
    master.publish('public', masterMeta, encodeData({ cmd: 'user' }));
    expect(await userMessage).toEqual({ mine: 'user traffic' });

    const exited = within(child.exited, 'the child to end by itself after close()');
    master.publish(workerId, masterMeta, encodeData({ cmd: 'close' }));
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
  });

  it('relays what a bash child writes to $NODE_CHANNEL_FD', async () => {
    const master = createIpcTransport();
    transports.push(master);
    await master.subscribe('master');
    const received = next(master, () => true, 'the bash child’s message');
    const { workerId } = start(master, { file: BASH_FIXTURE, command: 'bash' });
    const envelope = await received;
    expect(envelope).toEqual({ meta: { workerId, group: 'bash' }, data: 'hi' });
  });

  it('routes through a middle process: acks and messages across 3 levels', async () => {
    const master = createIpcTransport();
    transports.push(master);
    const errors: ClustrError[] = [];
    master.onError((error) => errors.push(error));
    await master.subscribe('master');
    const childReady = next(master, (data) => data.ready === true, 'the child to report ready');
    const child = start(master);
    const childId = child.workerId;
    await childReady;

    // The grandchild's ready travels only once its subscriptions were acked by the master.
    const spawned = next(master, (data) => typeof data.spawned === 'string', 'the grandchild’s workerId');
    const grandchildReady = next(master, (data) => data.ready === true, 'the grandchild to report ready');
    master.publish(childId, masterMeta, encodeData({ cmd: 'spawn' }));
    const grandchildId = (await spawned).data as { spawned: string };
    expect((await grandchildReady).meta).toEqual({ workerId: grandchildId.spawned, group: 'kid' });

    const echoed = next(master, (data) => data.echo === 'deep', 'the echo from the grandchild');
    master.publish(grandchildId.spawned, masterMeta, encodeData({ cmd: 'echo', text: 'deep' }));
    expect((await echoed).meta).toEqual({ workerId: grandchildId.spawned, group: 'kid' });
    // The private message went only down the child's link, never to another subtree.
    expect(Object.keys(master.stats().children)).toEqual([childId]);

    // Public reaches both levels below.
    const both = new Set<string>();
    const publicEchoes = within(
      new Promise<void>((resolve) => {
        master.onMessage((_channel, envelope) => {
          if ((envelope.data as { echo?: string }).echo !== 'everyone') return;
          both.add(envelope.meta.workerId ?? '');
          if (both.size === 2) resolve();
        });
      }),
      'both levels to answer a public message',
    );
    master.publish('public', masterMeta, encodeData({ cmd: 'echo', text: 'everyone' }));
    await publicEchoes;
    expect([...both].sort()).toEqual([childId, grandchildId.spawned].sort());

    // A burst from the grandchild travels as run lines, forwarded by the middle process untouched.
    const burst: number[] = [];
    const burstDone = within(
      new Promise<void>((resolve) => {
        master.onMessage((_channel, envelope) => {
          const { burst: i } = envelope.data as { burst?: number };
          if (i === undefined || envelope.meta.workerId !== grandchildId.spawned) return;
          burst.push(i);
          if (burst.length === 3000) resolve();
        });
      }),
      'the 3000 messages of the grandchild’s burst',
    );
    master.publish(grandchildId.spawned, masterMeta, encodeData({ cmd: 'burst', n: 3000 }));
    await burstDone;
    expect(burst).toEqual([...Array(3000).keys()]);
    expect(master.stats().children[childId]!.framesReceived).toBeGreaterThanOrEqual(3000);

    const childExited = within(child.exited, 'the middle process to end');
    master.publish(grandchildId.spawned, masterMeta, encodeData({ cmd: 'close' }));
    master.publish(childId, masterMeta, encodeData({ cmd: 'close' }));
    expect(await childExited).toEqual({ code: 0, signal: null });
    expect(errors).toEqual([]);
  });
});
