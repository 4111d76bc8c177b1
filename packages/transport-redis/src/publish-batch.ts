import { ErrorReply } from '@redis/client';
import type { AudienceLog } from './audience-log.js';
import type { PayloadList } from './build-payloads.js';
import type { RedisClient } from './redis-connection.js';

/**
 * Publishes `ARGV` pairs `channel, payload, channel, payload, …` in one command, in order: a
 * turn that published to many channels (one payload each) costs the client one command, one
 * promise and one reply instead of one per channel.
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

/** Most payloads one batch command carries. */
export const MAX_BATCH_PAYLOADS = 512;
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
  messages: number,
  outcome: PublishOutcome,
): void {
  client.publish(channel, payload).then(
    (reached) => {
      outcome.audience.set(channel, reached);
      outcome.replied(messages);
    },
    (error: unknown) => outcome.failed(messages, error),
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
 * Sends `list` over `client`, in order: one PUBLISH when it holds one payload or when scripts
 * are not allowed, else batch commands (`EVAL` of {@link PUBLISH_BATCH_SCRIPT}, at most
 * {@link MAX_BATCH_PAYLOADS} payloads or {@link MAX_BATCH_CHARS} characters each). Tells
 * `outcome`, per command, how many messages its payloads carried that were replied to or failed,
 * and notes how many subscribers each channel reached. Payloads arrive framed and signed
 * (`buildPayloads`): this is only the way out, which another client (a cluster's `SPUBLISH` per
 * shard) may replace.
 */
export function sendPublishes(
  client: RedisClient,
  list: PayloadList,
  canBatch: boolean,
  outcome: PublishOutcome,
): void {
  const { pairs, counts } = list;
  const end = pairs.length;
  if (!canBatch || end === 2) {
    for (let i = 0; i < end; i += 2) publishOne(client, pairs[i]!, pairs[i + 1]!, counts[i / 2]!, outcome);
    return;
  }
  let i = 0;
  while (i < end) {
    const args = ['EVAL', PUBLISH_BATCH_SCRIPT, '0'];
    let chars = 0;
    let payloads = 0;
    let messages = 0;
    while (i < end && payloads < MAX_BATCH_PAYLOADS && (payloads === 0 || chars < MAX_BATCH_CHARS)) {
      const payload = pairs[i + 1]!;
      args.push(pairs[i]!, payload);
      chars += payload.length;
      payloads++;
      messages += counts[i / 2]!;
      i += 2;
    }
    if (payloads === 1) {
      publishOne(client, args[3]!, args[4]!, messages, outcome);
    } else {
      client.sendCommand(args).then(
        (reply) => noteReached(outcome, messages, reply),
        (error: unknown) => outcome.failed(messages, error),
      );
    }
  }
}
