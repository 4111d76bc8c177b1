import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMeta } from '@clustr/protocol';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { createRedisTransport } from '../src/index.js';
import { eventually } from './eventually.js';
import { record } from './recorder.js';

const meta = encodeMeta({ workerId: 'w1', group: 'web' });

describe('redis transport connections', () => {
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
