import { ClustrError } from '@clustr/protocol';
import { isServerUnreachable } from './health-check.js';
import type { RedisClient } from './redis-connection.js';

const KILLS_FIELD = /client_output_buffer_limit_disconnections:(\d+)/;
const LIMIT_NAME = 'client-output-buffer-limit pubsub';

/**
 * Reads the server's count of clients it dropped for their output buffer limit (Redis 7.2+
 * `INFO stats`); undefined on older servers or when INFO is not allowed.
 */
export async function readBufferLimitKills(client: RedisClient): Promise<number | undefined> {
  try {
    const match = KILLS_FIELD.exec(await client.info('stats'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Why the subscriber connection was lost, and the new kill count baseline. */
export interface SubscriberLoss {
  readonly error: ClustrError;
  readonly kills: number | undefined;
}

const TAIL = 'messages published to this process until it resubscribed are lost';

/**
 * Explains a lost subscriber connection. Redis drops a subscriber whose output buffer passes
 * `client-output-buffer-limit pubsub` (a slow consumer) without a word, so the subscriber alone
 * cannot tell it from any other drop. The publisher can: if the server still answers, it was
 * not a restart or a network failure; the server's kill counter (Redis 7.2+) then confirms the
 * cause, and on older servers the slow consumer is named as the likely cause.
 *
 * Unless a health check saw the server unreachable first: the subscriber's own (`lost` says so
 * itself), or the publisher's while this subscriber connection was up (`partition`). Then the
 * network was cut, and a server that dropped the subscriber meanwhile did so because it could not
 * deliver to it — its output buffer filled with undeliverable messages — not because this
 * process was slow; no slow consumer is named.
 */
export async function explainSubscriberLoss(
  publisher: RedisClient | undefined,
  baseline: number | undefined,
  lost: ClustrError,
  partition?: ClustrError,
): Promise<SubscriberLoss> {
  if (isServerUnreachable(lost)) return { error: lost, kills: undefined };
  if (partition !== undefined) return { error: droppedAfterPartition(lost, partition), kills: undefined };
  if (publisher === undefined) return { error: lost, kills: undefined };
  let kills: number | undefined;
  try {
    const match = KILLS_FIELD.exec(await publisher.info('stats'));
    kills = match ? Number(match[1]) : undefined;
  } catch {
    return { error: lost, kills: undefined };
  }
  const tail = TAIL;
  let message: string;
  let reason: string;
  if (kills !== undefined && baseline !== undefined && kills > baseline) {
    reason = 'client-output-buffer-limit';
    message = `redis dropped the subscriber connection: it passed ${LIMIT_NAME} (a slow consumer: messages arrived faster than this process handled them); ${tail}`;
  } else if (kills !== undefined && baseline !== undefined) {
    reason = 'closed-by-server';
    message = `redis closed the subscriber connection while the server stayed up (not for ${LIMIT_NAME}: e.g. CLIENT KILL or a timeout); ${tail}`;
  } else {
    reason = 'slow-consumer-suspected';
    message = `redis closed the subscriber connection while the server stayed up: most likely it passed ${LIMIT_NAME} (a slow consumer: messages arrived faster than this process handled them), or it was killed (CLIENT KILL, timeout); ${tail}`;
  }
  return {
    error: new ClustrError('ERR_CLUSTR_TRANSPORT', message, { cause: lost, details: { reason } }),
    kills,
  };
}

/** The diagnosis of a subscriber the server closed after the publisher found it unreachable. */
function droppedAfterPartition(lost: ClustrError, partition: ClustrError): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_TRANSPORT',
    `redis closed the subscriber connection after the server was unreachable from this process (the publisher's PING went unanswered: a network partition): not a slow consumer — the server could not deliver to it meanwhile (its output buffer filled, ${LIMIT_NAME}, or the connection timed out); ${TAIL}`,
    { cause: lost, details: { role: 'sub', reason: 'after-partition', partition: partition.message } },
  );
}
