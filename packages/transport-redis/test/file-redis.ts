import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, beforeAll } from 'vitest';
import { createRedisTransport, type RedisTransport, type RedisTransportOptions } from '../src/index.js';

/** The redis-server of one test file, and transports on it that are closed when the file ends. */
export interface FileRedis {
  /** The server (started in `beforeAll`). */
  readonly server: RedisServer;
  /** A transport on the server, with `defaults` under `options`; closed after the file. */
  transport(namespace: string, options?: RedisTransportOptions): RedisTransport;
  /** Closes `transport` (made some other way) after the file too. */
  track(transport: RedisTransport): RedisTransport;
}

/** Starts a redis-server for the calling test file; call it at the top level. */
export function redisForFile(defaults: RedisTransportOptions = {}): FileRedis {
  let server: RedisServer | undefined;
  const open: RedisTransport[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((transport) => transport.close()));
    await server?.stop();
  });
  const started = (): RedisServer => {
    if (server === undefined) throw new Error('the redis-server of this file is not started yet');
    return server;
  };
  return {
    get server() {
      return started();
    },
    transport(namespace, options = {}) {
      const transport = createRedisTransport({ url: started().url, namespace, ...defaults, ...options });
      open.push(transport);
      return transport;
    },
    track(transport) {
      open.push(transport);
      return transport;
    },
  };
}
