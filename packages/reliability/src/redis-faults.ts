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
