import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { encodeData, encodeMeta, isClustrError, type Transport } from '@clustr/protocol';
import {
  assertUserChannel,
  assertWorkerId,
  killChannel,
  PRESENCE_CHANNEL,
  randomId,
} from '@clustr/protocol/internal';
import type { TargetOptions } from './cli-args.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import type { ClusterSource } from './cluster-source.js';
import { PresenceObserver } from './presence-observer.js';

type RedisModule = typeof import('@clustr/transport-redis');

/** The group the command's messages carry: reserved, so no worker can be it. */
const COMMAND_GROUP = 'clustr';
/** How long after connecting the command listens before it shows what it heard. */
const COLLECT_MS = 800;
/** When it says hello again, so that every member answers twice and has rates. */
const SECOND_HELLO_MS = 500;

/** The URL without its password, for messages. */
function redact(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

async function loadRedis(): Promise<RedisModule> {
  try {
    // Not a dependency of clustr-node: only those who use Redis install it.
    return await import('@clustr/transport-redis');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes('@clustr/transport-redis')) {
      throw new CliError('--redis needs @clustr/transport-redis: npm install @clustr/transport-redis');
    }
    throw new CliError(`@clustr/transport-redis could not be loaded: ${message}`);
  }
}

async function readSecret(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read --secret-file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new CliError(`--secret-file ${path} is empty`);
  return secret;
}

function createTransport(
  redis: RedisModule,
  url: string,
  namespace: string,
  secret: string | undefined,
): Transport {
  const options: Record<string, unknown> = { url, namespace, connectTimeoutMs: 3_000 };
  if (secret !== undefined) options.secret = secret;
  try {
    return redis.createRedisTransport(options);
  } catch (error) {
    if (!isClustrError(error)) throw error;
    if (secret !== undefined && /option secret\b.*no such option/.test(error.message)) {
      throw new CliError(
        'this @clustr/transport-redis has no secret option yet: --secret-file needs a version that signs frames',
      );
    }
    // The transport's own words about a bad URL or namespace, never the secret itself.
    const message = secret === undefined ? error.message : error.message.split(secret).join('***');
    throw new CliError(message, EXIT_USAGE);
  }
}

/**
 * Listens to a Redis namespace's presence channel without joining it: hello (twice, so that
 * every member answers two heartbeats and has rates), then every heartbeat and leave. It never
 * sends a heartbeat of its own, so no member lists it, even for a moment. Kill orders and
 * messages it sends carry group `clustr` and a random workerId, signed when a secret is given.
 *
 * @throws CliError when the module is missing, Redis is unreachable or the options are wrong
 */
export async function openRedis(target: TargetOptions & { redis: string }): Promise<ClusterSource> {
  const redis = await loadRedis();
  const namespace = target.namespace ?? redis.DEFAULT_NAMESPACE;
  const secret = target.secretFile === undefined ? undefined : await readSecret(target.secretFile);
  const transport = createTransport(redis, target.redis, namespace, secret);
  const where = `namespace "${namespace}" on ${redact(target.redis)}`;
  const observer = new PresenceObserver();
  let refused = 0;
  transport.onError((error) => {
    if (error.code === 'ERR_CLUSTR_FORBIDDEN') refused++;
  });
  transport.onMessage((channel, envelope) => {
    if (channel === PRESENCE_CHANNEL) observer.receive(envelope.data);
  });
  const workerId = randomId();
  const meta = encodeMeta({ workerId, group: COMMAND_GROUP });
  try {
    await transport.connect({ workerId, group: COMMAND_GROUP });
    await transport.subscribe(PRESENCE_CHANNEL);
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw new CliError(`cannot reach Redis at ${redact(target.redis)}: ${(error as Error).message}`);
  }
  const hello = () => transport.publish(PRESENCE_CHANNEL, meta, encodeData({ hello: { id: workerId } }));
  hello();
  const collected = (async () => {
    await delay(SECOND_HELLO_MS);
    hello();
    await delay(COLLECT_MS - SECOND_HELLO_MS);
    if (observer.beats > 0) return;
    const why =
      refused > 0
        ? `its frames failed the secret check (${refused} refused): wrong --secret-file?`
        : 'is a cluster running there, under this --namespace?';
    throw new CliError(`no clustr member answered in ${where}: ${why}`);
  })();
  collected.catch(() => undefined);
  return {
    title: where,
    startedAt: undefined,
    snapshot: async () => {
      await collected;
      return observer.snapshot();
    },
    kill: async (victim, code) => {
      assertWorkerId(victim);
      transport.publish(killChannel(victim), meta, String(code));
    },
    publish: async (channel, data) => {
      assertUserChannel(channel);
      transport.publish(channel, meta, encodeData(data));
    },
    close: () => transport.close(),
  };
}
