import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryTransport, eventually } from '@clustr-internal/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Master } from '../src/index.js';
import { ControlClient, findLocalClusters } from '../src/internal.js';

let runtime: string;
let dir: string;

beforeEach(async () => {
  runtime = await mkdtemp(join(tmpdir(), 'clustr-control-'));
  dir = join(runtime, 'clustr');
  process.env.XDG_RUNTIME_DIR = runtime;
});

afterEach(async () => {
  delete process.env.XDG_RUNTIME_DIR;
  await rm(runtime, { recursive: true, force: true });
});

async function socketOf(): Promise<string> {
  let path: string | undefined;
  await eventually(async () => {
    const names = existsSync(dir) ? await readdir(dir) : [];
    path = names.length === 1 ? join(dir, names[0]!) : undefined;
    return path !== undefined;
  }, `one control socket in ${dir}`);
  return path!;
}

/** A raw client: writes what it is given, reads answer lines. */
async function rawClient(path: string): Promise<{ socket: Socket; next(): Promise<unknown> }> {
  const socket = connect(path);
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  const lines: string[] = [];
  let buffer = '';
  let wake = () => {};
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
    wake();
  });
  return {
    socket,
    async next() {
      while (lines.length === 0) {
        const closed = once(socket, 'close').then(() => 'closed');
        const arrived = new Promise((resolve) => (wake = () => resolve('line')));
        if ((await Promise.race([arrived, closed])) === 'closed' && lines.length === 0) return 'closed';
      }
      return JSON.parse(lines.shift()!);
    },
  };
}

describe('the control socket of a master', () => {
  it('listens in a 0700 directory with mode 0600, answers info and members, and is removed on close', async () => {
    const master = Master.create({ transport: createMemoryTransport(), name: 'shop' });
    await master.ready();
    const path = await socketOf();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const { clusters } = await findLocalClusters();
    expect(clusters.map((c) => [c.pid, c.info.name, c.info.members])).toEqual([[process.pid, 'shop', 1]]);
    const client = await ControlClient.connect(path, 'the master');
    const { members } = await client.members();
    expect(members.map((m) => m.workerId)).toEqual(['master']);
    client.close();
    await master.close();
    expect(existsSync(path)).toBe(false);
    expect((await findLocalClusters()).clusters).toEqual([]);
  });

  it('answers bad requests with an error and stays usable; closes a line past the limit', async () => {
    const master = Master.create({ transport: createMemoryTransport() });
    await master.ready();
    const client = await rawClient(await socketOf());
    client.socket.write('not json\n{"op":"reboot"}\n{"op":"kill","workerId":"no such id!"}\n');
    client.socket.write('{"op":"publish","channel":"presence:all","data":1}\n{"op":"info"}\n');
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(((await client.next()) as { error: { code: string } }).error.code);
    expect(codes).toEqual([
      'ERR_CLUSTR_BAD_FRAME',
      'ERR_CLUSTR_BAD_FRAME',
      'ERR_CLUSTR_INVALID_WORKER_ID',
      'ERR_CLUSTR_INVALID_CHANNEL',
    ]);
    expect(await client.next()).toMatchObject({ ok: true, info: { pid: process.pid, protocol: 1 } });
    client.socket.write('x'.repeat(1024 * 1024 + 1));
    expect(await client.next()).toMatchObject({ ok: false, error: { code: 'ERR_CLUSTR_BAD_FRAME' } });
    expect(await client.next()).toBe('closed');
    await master.close();
  });

  it('kills and publishes as the master', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    await master.ready();
    const client = await ControlClient.connect(await socketOf(), 'the master');
    const worker = '0b7e1c5a-2f3d-4e6b-8a9c-1d2e3f4a5b6c';
    await client.kill(worker, 3);
    await client.publish('web', { hello: 1 });
    const sent = transport.published.filter((m) => m.channel !== 'presence:all');
    expect(sent.map((m) => [m.channel, m.dataJson])).toEqual([
      [`kill:${worker}`, '3'],
      ['web', '{"hello":1}'],
    ]);
    client.close();
    await master.close();
  });

  it('removes the socket of a master that died without closing, instead of listing it', async () => {
    await mkdir(dir, { mode: 0o700 });
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(require('path').join(${JSON.stringify(dir)}, process.pid + '-1.sock'), () => console.log('up'))`,
    ]);
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(await readdir(dir)).toEqual([`${child.pid}-1.sock`]);
    expect(await findLocalClusters()).toEqual({ clusters: [], silent: [] });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a directory others may write, and the master goes on without a socket', async () => {
    await mkdir(dir);
    await chmod(dir, 0o777);
    await expect(findLocalClusters()).rejects.toMatchObject({ code: 'ERR_CLUSTR_FORBIDDEN' });
    const master = Master.create({ transport: createMemoryTransport() });
    const [error] = (await once(master, 'error')) as [{ code: string }];
    expect(error.code).toBe('ERR_CLUSTR_FORBIDDEN');
    await master.ready();
    expect(await readdir(dir)).toEqual([]);
    await master.close();
  });

  it('checks the name and controlSocket options', () => {
    expect(() => Master.create({ transport: createMemoryTransport(), name: 'two words' })).toThrow(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION' }),
    );
    expect(() =>
      Master.create({ transport: createMemoryTransport(), controlSocket: 'yes' as never }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION' }));
  });

  it('takes the main script as the default name, and listens on nothing with controlSocket: false', async () => {
    const master = Master.create({ transport: createMemoryTransport(), controlSocket: false });
    expect(master.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
    await master.ready();
    await master.close();
    expect(existsSync(dir)).toBe(false);
  });
});
