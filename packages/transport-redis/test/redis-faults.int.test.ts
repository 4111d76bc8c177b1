import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMeta } from '@clustr/protocol';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { createRedisTransport } from '../src/index.js';
import { record } from './recorder.js';

const meta = encodeMeta({ workerId: 'w1', group: 'web' });

/** Polls a condition with a bounded wait; the failure names what was awaited. */
async function eventually(
  test: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function clientIds(list: string, namePrefix: string): string[] {
  return list
    .split('\n')
    .filter((line) => new RegExp(`name=${namePrefix}\\S*`).test(line))
    .map((line) => /id=(\d+)/.exec(line)?.[1] ?? '');
}

describe('redis transport faults', () => {
  it('recovers from CLIENT KILL of both connections: one subscription per channel, nothing twice', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'ck',
      reconnectInitialDelayMs: 20,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await Promise.all([
      transport.subscribe('public'),
      transport.subscribe('public'),
      transport.subscribe('web'),
    ]);
    const ids = clientIds(await redis.cli('CLIENT', 'LIST'), 'ck:web:w1:');
    expect(ids).toHaveLength(2);
    for (const id of ids) await redis.cli('CLIENT', 'KILL', 'ID', id);
    await recorder.waitForError((e) => /subscriber/.test(e.message), 'the report of the lost subscriber');
    await eventually(() => transport.stats().reconnects >= 2, 'both connections to reconnect');
    expect(await redis.cli('PUBSUB', 'NUMSUB', 'ck:public', 'ck:web')).toBe('ck:public\n1\nck:web\n1');
    for (let i = 0; i < 3; i++) transport.publish('public', meta, String(i));
    transport.publish('web', meta, '"sentinel"');
    await recorder.waitForMessages(4, 'three messages and the sentinel after the reconnect');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([0, 1, 2, 'sentinel']);
    expect(transport.stats().channels).toEqual(['public', 'web']);
  });

  it('holds what it publishes while only its subscriber is down, and delivers it after', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'sd',
      reconnectInitialDelayMs: 50,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await recorder.waitForError((e) => /subscriber connection/.test(e.message), 'the subscriber loss report');
    for (let i = 0; i < 3; i++) transport.publish('public', meta, String(i));
    await recorder.waitForMessages(3, 'the held messages after the subscriber is back');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([0, 1, 2]);
  });

  it('keeps per-sender order with no duplicates when its connections are killed mid-stream', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'mid',
      reconnectInitialDelayMs: 10,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    for (let i = 0; i < 3000; i++) transport.publish('public', meta, String(i));
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    for (let i = 3000; i < 6000; i++) transport.publish('public', meta, String(i));
    await eventually(() => transport.stats().reconnects >= 2, 'both connections to reconnect');
    transport.publish('public', meta, '"sentinel"');
    await eventually(() => recorder.messages.at(-1)?.envelope.data === 'sentinel', 'the sentinel');
    const numbers = recorder.messages.slice(0, -1).map((m) => m.envelope.data as number);
    const outOfOrder = numbers.findIndex((n, i) => i > 0 && n <= (numbers[i - 1] as number));
    expect(outOfOrder).toBe(-1);
    // At-most-once: what was in flight on a killed socket may be lost, never reordered or repeated.
    expect(numbers.length).toBeGreaterThan(0);
  });

  it('survives a redis-server restart and delivers what was published while down, in order, bounded', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'rs',
      maxQueuedMessages: 5,
      reconnectInitialDelayMs: 20,
      reconnectMaxDelayMs: 200,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await Promise.all([transport.subscribe('public'), transport.subscribe('gone')]);
    transport.publish('public', meta, '"before"');
    await recorder.waitForMessages(1, 'the message before the restart');
    await redis.stop();
    await recorder.waitForError((e) => /publisher lost/.test(e.message), 'the report of the lost publisher');
    const late = transport.subscribe('late');
    await transport.unsubscribe('gone');
    for (let i = 0; i < 7; i++) transport.publish('public', meta, String(i));
    expect(recorder.errors.filter((e) => e.code === 'ERR_CLUSTR_QUEUE_FULL')).toHaveLength(1);
    expect(transport.stats()).toMatchObject({ queued: 5, dropped: 2 });
    await redis.restart();
    await recorder.waitForMessages(6, 'the five queued messages after the restart');
    transport.publish('public', meta, '"after"');
    await recorder.waitForMessages(7, 'a message published after the reconnect');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual(['before', 0, 1, 2, 3, 4, 'after']);
    await late;
    expect(await redis.cli('PUBSUB', 'NUMSUB', 'rs:public', 'rs:late', 'rs:gone')).toBe(
      'rs:public\n1\nrs:late\n1\nrs:gone\n0',
    );
  });

  it('holds a backlog after a restart until its receivers in other processes have resubscribed', async () => {
    await using redis = await startRedisServer();
    const options = { url: redis.url, namespace: 'late-rx', reconnectMaxDelayMs: 2_000 };
    // The sender reconnects fast; the receiver only after ~800 ms, as a busier process might.
    await using sender = createRedisTransport({ ...options, reconnectInitialDelayMs: 20 });
    await using receiver = createRedisTransport({ ...options, reconnectInitialDelayMs: 800 });
    const senderLog = record(sender);
    const received = record(receiver);
    await sender.connect({ workerId: 's', group: 'web' });
    await receiver.connect({ workerId: 'r', group: 'web' });
    await receiver.subscribe('r');
    sender.publish('r', meta, '"before"');
    await received.waitForMessages(1, 'the message before the restart');
    await redis.stop();
    await senderLog.waitForError((e) => /publisher lost/.test(e.message), 'the sender noticing the outage');
    for (let i = 0; i < 50; i++) sender.publish('r', meta, String(i));
    await redis.restart();
    await received.waitForMessages(51, 'the 50 messages published while Redis was down');
    expect(received.messages.map((m) => m.envelope.data)).toEqual(['before', ...Array(50).keys()]);
  });

  it('reports a subscriber dropped for client-output-buffer-limit pubsub and recovers', async () => {
    await using redis = await startRedisServer({
      args: ['--client-output-buffer-limit', 'pubsub 64kb 32kb 1'],
    });
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'slow',
      reconnectInitialDelayMs: 20,
    });
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    const burst = "for i=1,300 do redis.call('PUBLISH', KEYS[1], string.rep('x', 10000)) end";
    await redis.cli('EVAL', burst, '1', 'slow:public');
    const error = await recorder.waitForError(
      (e) => /client-output-buffer-limit pubsub/.test(e.message),
      'the slow consumer report',
    );
    expect(error.code).toBe('ERR_CLUSTR_TRANSPORT');
    await eventually(() => transport.stats().reconnects >= 1, 'the subscriber to reconnect');
    transport.publish('public', meta, '"alive"');
    await eventually(
      () => recorder.messages.some((m) => m.envelope.data === 'alive'),
      'a message after recovery',
    );
  });

  it('rejects connect with a clear error on a wrong or missing password, without leaking sockets', async () => {
    await using redis = await startRedisServer({ args: ['--requirepass', 's3cret'], password: 's3cret' });
    const started = Date.now();
    const wrong = createRedisTransport({
      url: `redis://:nope@127.0.0.1:${redis.port}`,
      connectTimeoutMs: 3_000,
    });
    const error = await wrong.connect({ group: 'master' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ERR_CLUSTR_TRANSPORT',
      message: expect.stringMatching(/WRONGPASS.*check the user and password/),
    });
    expect((error as Error).message).not.toContain('nope');
    expect(Date.now() - started).toBeLessThan(3_000);
    const missing = createRedisTransport({ url: redis.url, connectTimeoutMs: 3_000 });
    await expect(missing.connect({ group: 'master' })).rejects.toMatchObject({
      message: expect.stringMatching(/NOAUTH/),
    });
    await Promise.all([wrong.close(), missing.close()]);
    expect(await redis.cli('INFO', 'clients')).toMatch(/connected_clients:1\r?\n/);
    await using right = createRedisTransport({ url: `redis://:s3cret@127.0.0.1:${redis.port}` });
    await right.connect({ group: 'master' });
  });

  it('rejects connect to an unreachable server within the connect timeout', async () => {
    const redis = await startRedisServer();
    const { port } = redis;
    await redis.stop();
    const transport = createRedisTransport({
      url: `redis://user:pw@127.0.0.1:${port}`,
      connectTimeoutMs: 500,
    });
    const started = Date.now();
    const error = await transport.connect({ group: 'master' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toMatchObject({
      code: 'ERR_CLUSTR_TRANSPORT',
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
    expect((error as Error).message).not.toContain('pw@');
    await transport.close();
  });

  it('rejects connect to a server that accepts but never answers, and closes its sockets', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const transport = createRedisTransport({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 400 });
      const started = Date.now();
      await expect(transport.connect({ group: 'master' })).rejects.toMatchObject({
        code: 'ERR_CLUSTR_TRANSPORT',
        message: expect.stringMatching(/no answer within/),
      });
      expect(Date.now() - started).toBeLessThan(1_500);
      await transport.close();
      await eventually(() => sockets.size === 0, 'the transport to close its sockets');
    } finally {
      silent.close();
    }
  });

  it('ends a connect in progress at once when closed', async () => {
    const redis = await startRedisServer();
    const { port } = redis;
    await redis.stop();
    const transport = createRedisTransport({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 10_000 });
    const started = Date.now();
    const connecting = transport.connect({ group: 'master' }).catch((e: unknown) => e);
    await transport.close();
    expect(await connecting).toMatchObject({ code: 'ERR_CLUSTR_CLOSED' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('closes within the connect timeout when the server stopped answering', async () => {
    await using redis = await startRedisServer();
    const transport = createRedisTransport({ url: redis.url, namespace: 'hang', connectTimeoutMs: 300 });
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    await redis.cli('CLIENT', 'PAUSE', '1500', 'ALL');
    transport.publish('public', meta, '"into the void"');
    const started = Date.now();
    await transport.close();
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(recorder.errors.map((e) => e.message)).toEqual([
      'a redis PUBLISH in flight was lost: Disconnects client',
    ]);
    expect(transport.stats().lost).toBe(1);
  });

  it('works with an ACL user in the URL', async () => {
    await using redis = await startRedisServer();
    await redis.cli('ACL', 'SETUSER', 'app', 'on', '>app-pass', '~*', '&*', '+@all');
    await using transport = createRedisTransport({
      url: `redis://app:app-pass@127.0.0.1:${redis.port}`,
      namespace: 'acl',
    });
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    transport.publish('public', meta, '"as app"');
    await recorder.waitForMessages(1, 'a message as the ACL user');
    expect(await redis.cli('CLIENT', 'LIST')).toMatch(/name=acl:master:master:sub .*user=app/);
  });

  it('connects over TLS with a rediss:// URL and a CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clustr-tls-'));
    try {
      const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: 'ignore' },
      );
      await using redis = await startRedisServer({ tls: { certFile, keyFile, caFile: certFile } });
      expect(redis.url).toMatch(/^rediss:/);
      await using transport = createRedisTransport({
        url: redis.url,
        namespace: 'tls',
        tls: { ca: readFileSync(certFile, 'utf8') },
      });
      const recorder = record(transport);
      await transport.connect({ group: 'master' });
      await transport.subscribe('public');
      transport.publish('public', meta, '"secret"');
      await recorder.waitForMessages(1, 'a message over TLS');
      const untrusted = createRedisTransport({ url: redis.url, connectTimeoutMs: 1_000 });
      await expect(untrusted.connect({ group: 'master' })).rejects.toMatchObject({
        code: 'ERR_CLUSTR_TRANSPORT',
      });
      await untrusted.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
