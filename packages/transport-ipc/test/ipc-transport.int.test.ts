import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type ClustrError, type Envelope, encodeData, encodeMeta } from '@clustr/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createIpcTransport } from '../src/index.js';
import type { IpcTransport } from '../src/ipc-transport-type.js';
import { createPipeLink } from './pipe-link.js';
import { startChild } from './start-child.js';

const masterMeta = encodeMeta({ group: 'master' });

const children: ChildProcess[] = [];
const transports: IpcTransport[] = [];

afterEach(async () => {
  for (const transport of transports.splice(0)) await transport.close();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
});

function start(workerId: string, transport: IpcTransport, command?: string, args?: string[]): ChildProcess {
  const child = startChild(workerId, 'master', transport.describe(), command, args);
  children.push(child);
  return child;
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
  it('carries messages parent → child and child → parent over the fd-3 pipe; garbage is reported', async () => {
    const master = createIpcTransport();
    transports.push(master);
    const errors: ClustrError[] = [];
    master.onError((error) => errors.push(error));
    await master.connect({ group: 'master' });
    await master.subscribe('master');

    const workerId = randomUUID();
    const ready = next(master, (data) => data.ready === true, 'the child to report ready');
    const child = start(workerId, master);
    const link = createPipeLink(child, workerId);
    master.adopt(link);
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

    const userSent = next(master, (data) => data.user === 'sent', 'the child to send user traffic');
    master.publish('public', masterMeta, encodeData({ cmd: 'user' }));
    await userSent;
    expect(link.userMessages).toEqual([{ mine: 'user traffic' }]);

    const exited = within(
      new Promise((resolve) => child.once('exit', resolve)),
      'the child to end by itself after close()',
    );
    master.publish(workerId, masterMeta, encodeData({ cmd: 'close' }));
    expect(await exited).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
  });

  it('relays what a bash child writes to $NODE_CHANNEL_FD', async () => {
    const master = createIpcTransport();
    transports.push(master);
    await master.subscribe('master');
    const workerId = randomUUID();
    const script = `echo '{"clustr":1,"channel":"master","meta":{"workerId":"'$CLUSTR_WORKER_ID'","group":"bash"},"data":"hi"}' >&$NODE_CHANNEL_FD`;
    const received = next(master, () => true, 'the bash child’s message');
    const child = start(workerId, master, 'bash', ['-c', script]);
    master.adopt(createPipeLink(child, workerId));
    const envelope = await received;
    expect(envelope).toEqual({ meta: { workerId, group: 'bash' }, data: 'hi' });
  });

  it('routes through a middle process: acks and messages across 3 levels', async () => {
    const master = createIpcTransport();
    transports.push(master);
    const errors: ClustrError[] = [];
    master.onError((error) => errors.push(error));
    await master.subscribe('master');
    const childId = randomUUID();
    const grandchildId = randomUUID();
    const childReady = next(master, (data) => data.ready === true, 'the child to report ready');
    const child = start(childId, master);
    master.adopt(createPipeLink(child, childId));
    await childReady;

    // The grandchild's ready travels only once its subscriptions were acked by the master.
    const grandchildReady = next(master, (data) => data.ready === true, 'the grandchild to report ready');
    master.publish(childId, masterMeta, encodeData({ cmd: 'spawn', workerId: grandchildId }));
    expect((await grandchildReady).meta).toEqual({ workerId: grandchildId, group: 'kid' });

    const echoed = next(master, (data) => data.echo === 'deep', 'the echo from the grandchild');
    master.publish(grandchildId, masterMeta, encodeData({ cmd: 'echo', text: 'deep' }));
    expect((await echoed).meta).toEqual({ workerId: grandchildId, group: 'kid' });
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
    expect([...both].sort()).toEqual([childId, grandchildId].sort());

    const childExited = within(
      new Promise((resolve) => child.once('exit', resolve)),
      'the middle process to end',
    );
    master.publish(grandchildId, masterMeta, encodeData({ cmd: 'close' }));
    master.publish(childId, masterMeta, encodeData({ cmd: 'close' }));
    expect(await childExited).toBe(0);
    expect(errors).toEqual([]);
  });
});
