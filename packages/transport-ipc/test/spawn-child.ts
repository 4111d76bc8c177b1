import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { spawnWorkers, type WorkerHandle } from '@clustr/spawner';
import type { IpcTransport } from '../src/ipc-transport-type.js';

/** Node options that let a child run the TypeScript fixtures against the workspace sources. */
export const TSX_EXEC_ARGV = [
  '--import',
  createRequire(import.meta.url).resolve('tsx'),
  '--conditions=@clustr/source',
];
/** The clustr child fixture, driven by commands on its private channel. */
export const CHILD_FIXTURE = fileURLToPath(new URL('./fixtures/ipc-child.ts', import.meta.url));
/** A bash child that writes one frame to `$NODE_CHANNEL_FD`. */
export const BASH_FIXTURE = fileURLToPath(new URL('./fixtures/hi.sh', import.meta.url));

/**
 * Spawns one child below `transport` with the real spawner (the one link implementation there
 * is), handing its link to the transport at every start.
 */
export function spawnChild(transport: IpcTransport, spec: Record<string, unknown> = {}): WorkerHandle {
  const base = spec.command === undefined ? { file: CHILD_FIXTURE, execArgv: TSX_EXEC_ARGV } : {};
  const [handle] = spawnWorkers([{ ...base, restart: 'never', ...spec }], {
    parentId: 'master',
    transport: transport.describe(),
    adopt: (link) => transport.adopt(link),
  });
  return handle!;
}
