import { ErrorReply } from '@redis/client';
import type { AudienceLog } from './audience-log.js';
import type { FrameSigner } from './frame-signature.js';
import type { PubSubCommands } from './pubsub-commands.js';
import type { RedisClient } from './redis-connection.js';

/**
 * Publishes `ARGV` pairs `channel, payload, channel, payload, …` in one command, in order.
 * A burst of N publishes then costs the client one command, one promise and one reply instead
 * of N — the difference between ~1× and several times a raw PUBLISH loop.
 */
export const PUBLISH_BATCH_SCRIPT = `local reached, out = {}, {}
for i = 1, #ARGV, 2 do reached[ARGV[i]] = redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
for channel, n in pairs(reached) do out[#out + 1] = channel; out[#out + 1] = n end
return out`;

/** Where {@link sendPublishes} reports the outcome of each command it sent. */
export interface PublishOutcome {
  /** How many subscribers the last PUBLISH to each channel reached. */
  readonly audience: AudienceLog;
  /** `count` messages were taken by the server. */
  replied(count: number): void;
  /** `count` messages failed with their command (at-most-once: they are not sent again). */
  failed(count: number, error: unknown): void;
}

/** Most messages one batch command carries. */
export const MAX_BATCH_MESSAGES = 512;
/** Most payload characters one batch command carries, so one command never grows huge. */
export const MAX_BATCH_CHARS = 1024 * 1024;

/**
 * Asks the server whether this connection may run scripts (ACLs can forbid `EVAL`, some managed
 * Redis services disable it). Without them the publisher sends one PUBLISH per message.
 */
export async function canRunScripts(client: RedisClient): Promise<boolean> {
  try {
    await client.sendCommand(['EVAL', 'return 1', '0']);
    return true;
  } catch (error) {
    if (error instanceof ErrorReply) return false;
    throw error;
  }
}

function publishOne(
  client: RedisClient,
  channel: string,
  payload: string,
  mode: SendMode,
  outcome: PublishOutcome,
): void {
  mode.commands.publish(client, channel, payload).then(
    (reached) => {
      outcome.audience.set(channel, reached);
      outcome.replied(1);
    },
    (error: unknown) => outcome.failed(1, error),
  );
}

function noteReached(outcome: PublishOutcome, count: number, reply: unknown): void {
  if (Array.isArray(reply)) {
    const { audience } = outcome;
    for (let i = 0; i + 1 < reply.length; i += 2) audience.set(String(reply[i]), Number(reply[i + 1]));
  }
  outcome.replied(count);
}

/**
 * How a batch goes out: whether scripts may run (never in cluster mode: one script cannot publish
 * to shard channels of several slots), the commands, and the signer when the transport has a secret.
 */
export interface SendMode {
  readonly canBatch: boolean;
  readonly commands: PubSubCommands;
  readonly signer: FrameSigner | undefined;
}

/**
 * Sends the flat `[channel, payload, …]` pairs over `client`: one PUBLISH when alone or when
 * scripts are not allowed, else batch commands. Payloads are signed here, as they leave — one
 * HMAC each, stamped now — so a backlog held through an outage is not stale on arrival. Tells
 * `outcome`, per command, how many of its messages were replied to or failed, and notes how many
 * subscribers each channel reached.
 */
export function sendPublishes(
  client: RedisClient,
  pairs: readonly string[],
  mode: SendMode,
  outcome: PublishOutcome,
): void {
  const end = pairs.length;
  const { signer } = mode;
  const ts = Date.now();
  const payloadAt = (i: number): string =>
    signer === undefined ? pairs[i + 1]! : signer.seal(pairs[i]!, pairs[i + 1]!, ts);
  if (!mode.canBatch || end === 2) {
    for (let i = 0; i < end; i += 2) publishOne(client, pairs[i]!, payloadAt(i), mode, outcome);
    return;
  }
  let i = 0;
  while (i < end) {
    const args = ['EVAL', PUBLISH_BATCH_SCRIPT, '0'];
    let chars = 0;
    let count = 0;
    while (i < end && count < MAX_BATCH_MESSAGES && (count === 0 || chars < MAX_BATCH_CHARS)) {
      const payload = payloadAt(i);
      args.push(pairs[i]!, payload);
      chars += payload.length;
      count++;
      i += 2;
    }
    if (count === 1) {
      publishOne(client, args[3]!, args[4]!, mode, outcome);
    } else {
      client.sendCommand(args).then(
        (reply) => noteReached(outcome, count, reply),
        (error: unknown) => outcome.failed(count, error),
      );
    }
  }
}
