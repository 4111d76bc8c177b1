import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TransportDescriptor } from '@clustr/protocol';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** The clustr child fixture, driven by commands on its private channel. */
export const CHILD_FIXTURE = fileURLToPath(new URL('./fixtures/ipc-child.ts', import.meta.url));

/**
 * Starts a child the way the spawner does: fd 3 a pipe (a socket pair) that a Node child takes
 * as its IPC channel, and the CLUSTR_* environment. Node fixtures run TypeScript through tsx.
 */
export function startChild(
  workerId: string,
  parentId: string,
  transport: TransportDescriptor,
  command: string = process.execPath,
  args: string[] = ['--import', tsx, '--conditions=@clustr/source', CHILD_FIXTURE],
): ChildProcess {
  return spawn(command, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    env: {
      ...process.env,
      NODE_CHANNEL_FD: '3',
      NODE_CHANNEL_SERIALIZATION_MODE: 'json',
      CLUSTR_CHANNEL_FD: '3',
      CLUSTR_WORKER_ID: workerId,
      CLUSTR_PARENT_ID: parentId,
      CLUSTR_TRANSPORT: JSON.stringify(transport),
    },
  });
}
