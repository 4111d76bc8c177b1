import { debuglog } from 'node:util';
import { ClustrError } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import { createClient, ErrorReply, type RedisClientType } from '@redis/client';
import {
  type ConnectionEvent,
  type ConnectionState,
  INITIAL_CONNECTION_STATE,
  nextConnectionState,
} from './connection-state.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';
import { redactUrl } from './redis-url-options.js';

const debug = debuglog('clustr');

const TLS_VERIFY_CODE = /CERT|SELF_SIGNED|ALTNAME/;

/** Failures that retrying cannot fix: the server refused us (auth, ACL) or its certificate. */
function isFatal(error: unknown): boolean {
  if (error instanceof ErrorReply) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TLS_VERIFY_CODE.test(code);
}

/** Waits for `promise` (its failure included) at most `ms`; never rejects. */
export async function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** The typed client this package uses: no modules, RESP2. */
export type RedisClient = RedisClientType;

/** What a {@link RedisConnection} tells its owner. */
export interface RedisConnectionHooks {
  /**
   * A fresh client is connected. Resolve once it is usable (the subscriber subscribes here);
   * a rejection counts as a failed attempt.
   */
  prepare(client: RedisClient): Promise<void>;
  /** The connection is usable again (also the first time). */
  up(client: RedisClient, isReconnect: boolean): void;
  /** The connection was lost after it had been up; a reconnect is scheduled. */
  down(error: ClustrError): void;
  /** A failed reconnect attempt worth reporting (e.g. a password that stopped working). */
  error(error: ClustrError): void;
}

/**
 * One Redis connection with its own reconnect loop: the client's reconnect is off, so every
 * reconnect is a fresh client whose state (subscriptions) the owner sets up in `prepare`.
 */
export class RedisConnection {
  #state: ConnectionState = INITIAL_CONNECTION_STATE;
  #timer: NodeJS.Timeout | undefined;
  /** Ends the attempt in flight at once, so close() leaves no socket or timer behind. */
  #cancelAttempt: ((reason: Error) => void) | undefined;
  readonly #role: 'pub' | 'sub';
  readonly #options: ResolvedRedisOptions;
  readonly #name: string | undefined;
  readonly #hooks: RedisConnectionHooks;

  constructor(role: 'pub' | 'sub', options: ResolvedRedisOptions, name: string, hooks: RedisConnectionHooks) {
    this.#role = role;
    this.#options = options;
    this.#name = `${name}:${role}`;
    this.#hooks = hooks;
  }

  /** True while the connection is usable. */
  get isUp(): boolean {
    return this.#state.kind === 'ready';
  }

  /** The current client, when up. */
  get client(): RedisClient | undefined {
    return this.#state.kind === 'ready' ? this.#state.client : undefined;
  }

  get #isClosed(): boolean {
    return this.#state.kind === 'closed';
  }

  #dispatch(event: ConnectionEvent): void {
    this.#state = nextConnectionState(this.#state, event);
  }

  /** Connects for the first time: retries until the connect timeout, fails at once on auth errors. */
  async open(): Promise<void> {
    const deadline = Date.now() + this.#options.connectTimeoutMs;
    let lastError: unknown;
    while (this.#state.kind === 'connecting') {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        const client = await this.#connectOnce(remaining);
        this.#becomeUp(client, false);
        return;
      } catch (error) {
        lastError = error;
        if (this.#state.kind !== 'connecting') break;
        const delay = this.#delay(this.#state.attempt);
        if (isFatal(error) || Date.now() + delay >= deadline) break;
        await new Promise<void>((resolve) => {
          this.#timer = setTimeout(resolve, delay);
          this.#cancelAttempt = () => resolve();
        });
        this.#cancelAttempt = undefined;
        this.#dispatch({ type: 'retry' });
      }
    }
    if (this.#isClosed)
      throw new ClustrError('ERR_CLUSTR_CLOSED', 'the redis transport was closed while connecting');
    throw this.#connectError(lastError, 'cannot connect');
  }

  /** Closes: waits (bounded) for the publisher's pending replies, then closes the socket. Idempotent. */
  async close(): Promise<void> {
    const client = this.client;
    this.#dispatch({ type: 'close' });
    clearTimeout(this.#timer);
    this.#cancelAttempt?.(
      new ClustrError('ERR_CLUSTR_CLOSED', 'the redis transport was closed while connecting'),
    );
    if (!client?.isOpen) return;
    // Replies come in order: once PING answers, every PUBLISH before it was taken by the server.
    // Bounded, so a server that stopped answering cannot hang close().
    if (this.#role === 'pub') await bounded(client.ping(), this.#options.connectTimeoutMs);
    client.destroy();
  }

  #delay(attempt: number): number {
    const { reconnectInitialDelayMs: initial, reconnectMaxDelayMs: max } = this.#options;
    return Math.min(max, initial * 2 ** Math.min(attempt, 20));
  }

  async #connectOnce(timeoutMs: number): Promise<RedisClient> {
    const { url, tls } = this.#options;
    const isTls = url.startsWith('rediss:');
    const socket = {
      connectTimeout: timeoutMs,
      reconnectStrategy: false as const,
      ...(isTls ? { tls: true as const, ...tls } : {}),
    };
    const client: RedisClient = createClient({
      url,
      name: this.#name,
      socket,
      maintNotifications: 'disabled',
      // No CLIENT SETINFO: the connection's name says who it is, and a least-privilege ACL user
      // then needs the same commands on every Redis version (7.0 has no SETINFO to allow).
      disableClientInfo: true,
    });
    client.on('error', (error: unknown) => this.#onClientError(client, error));
    const ready = (async () => {
      await client.connect();
      await this.#hooks.prepare(client);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      this.#cancelAttempt = reject;
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([ready, timeout]);
      return client;
    } catch (error) {
      ready.catch(() => {});
      if (client.isOpen) client.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
      this.#cancelAttempt = undefined;
    }
  }

  #becomeUp(client: RedisClient, isReconnect: boolean): void {
    if (this.#isClosed) {
      client.destroy();
      return;
    }
    this.#dispatch({ type: 'connected', client });
    this.#hooks.up(client, isReconnect);
  }

  #onClientError(client: RedisClient, error: unknown): void {
    debug('redis %s connection: %s', this.#role, error instanceof Error ? error.message : error);
    if (this.client !== client || client.isReady) return;
    this.#dispatch({ type: 'lost' });
    // The client already closed its socket; destroy() also rejects what it still held.
    queueMicrotask(() => {
      if (client.isOpen) client.destroy();
    });
    if (this.#isClosed) return;
    this.#hooks.down(this.#connectError(error, 'lost the connection'));
    this.#schedule();
  }

  #schedule(): void {
    if (this.#state.kind !== 'connecting') return;
    const delay = this.#delay(this.#state.attempt);
    this.#dispatch({ type: 'retry' });
    this.#timer = setTimeout(() => {
      this.#connectOnce(this.#options.connectTimeoutMs).then(
        (client) => this.#becomeUp(client, true),
        (error: unknown) => {
          if (this.#isClosed) return;
          if (isFatal(error)) this.#hooks.error(this.#connectError(error, 'cannot reconnect'));
          else debug('redis %s reconnect failed: %s', this.#role, error);
          this.#schedule();
        },
      );
    }, delay);
  }

  #connectError(error: unknown, what: string): ClustrError {
    const reason = error instanceof Error ? error.message || error.name : describeValue(error);
    const hint =
      error instanceof ErrorReply && /WRONGPASS|NOAUTH|NOPERM|AUTH/i.test(error.message)
        ? ' (check the user and password in the url)'
        : '';
    return new ClustrError(
      'ERR_CLUSTR_TRANSPORT',
      `redis ${this.#role === 'pub' ? 'publisher' : 'subscriber'} ${what} to ${redactUrl(this.#options.url)}: ${reason}${hint}`,
      { cause: error, details: { role: this.#role } },
    );
  }
}
