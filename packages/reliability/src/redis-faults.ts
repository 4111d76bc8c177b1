import { createClient } from '@redis/client';

function createAdmin(url: string) {
  return createClient({ url, name: 'reliability-admin' });
}

/** A plain client for fault injection (`CLIENT LIST`, `CLIENT KILL`), not part of the cluster. */
export type AdminClient = ReturnType<typeof createAdmin>;

/** Connects an admin client to `url`. */
export async function connectAdmin(url: string): Promise<AdminClient> {
  const client = createAdmin(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** `CLIENT KILL ID` of every connection named with `prefix`, all in one pipeline; returns how many died. */
export async function killClients(admin: AdminClient, prefix: string): Promise<number> {
  const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
  const ids: string[] = [];
  for (const line of list.split('\n')) {
    const id = /(?:^|\s)id=(\d+)/.exec(line)?.[1];
    const name = /(?:^|\s)name=(\S*)/.exec(line)?.[1] ?? '';
    if (id !== undefined && name.startsWith(prefix)) ids.push(id);
  }
  const replies = await Promise.all(ids.map((id) => admin.sendCommand(['CLIENT', 'KILL', 'ID', id])));
  return replies.reduce<number>((sum, reply) => sum + (Number(reply) || 0), 0);
}

/** Median and maximum of a list of durations, rounded to ms. */
export function spread(values: readonly number[]): { p50: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), max: Math.round(sorted.at(-1) ?? 0) };
}

/** One fault of the scenario, as the loss bound sees it. */
export interface FaultWindow {
  /** From the fault until every path answered a probe again (ms). */
  outageMs: number;
  /** Messages each publisher published at once during the outage, besides its stream. */
  burst: number;
}

/** How the sequenced streams flow and what the transport keeps while disconnected. */
export interface LossModel {
  /** Sequenced streams checked (one sender → one receiver each). */
  streams: number;
  /** Each stream's pace: `perTick` messages every `tickMs`. */
  perTick: number;
  tickMs: number;
  /** How long a message is in the air: a PUBLISH the server has not run, or not yet written out. */
  airMs: number;
  /** `maxQueuedMessages`: the backlog a disconnected publisher keeps. */
  maxQueued: number;
  /** `resubscribeGraceMs`: how long a backlog waits for its receivers to resubscribe. */
  graceMs: number;
}

/**
 * The most stream messages pub/sub may lose across `faults`, and why. At a fault, a stream loses
 * what was in the air (what its sender published in the last `airMs`). What is published while
 * disconnected is not in the air: the publisher keeps it (up to `maxQueued`) and sends it once
 * its receivers are back, waiting at most `graceMs` for them. So, per fault and stream: the
 * messages in the air, plus those published during the outage beyond the backlog bound, plus
 * all those published during an outage longer than the grace period.
 */
export function lossBound(
  faults: readonly FaultWindow[],
  model: LossModel,
): { bound: number; reason: string } {
  const { streams, perTick, tickMs, airMs, maxQueued, graceMs } = model;
  const inAir = perTick * Math.ceil(airMs / tickMs);
  let bound = 0;
  let beyondBacklog = 0;
  let pastGrace = 0;
  for (const { outageMs, burst } of faults) {
    const during = perTick * (Math.ceil(outageMs / tickMs) + 1);
    const beyond = Math.max(0, during + burst - maxQueued);
    const past = outageMs > graceMs ? during : 0;
    beyondBacklog += beyond;
    pastGrace += past;
    bound += streams * (inAir + beyond + past);
  }
  const reason =
    `${faults.length} faults × ${streams} streams × ${inAir} msgs in the air (${airMs} ms at ${perTick} per ${tickMs} ms)` +
    ` + ${streams} streams × (${beyondBacklog} published beyond the backlog bound of ${maxQueued}` +
    ` + ${pastGrace} published during outages longer than the ${graceMs} ms grace)`;
  return { bound, reason };
}
