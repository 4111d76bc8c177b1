import type { ChildLink, ClustrError, Transport, TransportDescriptor } from '@clustr/protocol';
import { type SpawnSpec, spawnWorkers, type WorkerHandle } from '@clustr/spawner';
import type { ProcessPresence } from './presence-of-process.js';

/** What a spawn needs of the spawning process. */
export interface SpawnContext {
  /** Its workerId, or `master`. */
  readonly parentId: string;
  /** Its transport as the children rebuild it, or the promise of it (before its own welcome). */
  readonly descriptor: TransportDescriptor | Promise<TransportDescriptor>;
  readonly presence: ProcessPresence;
  /** Its transport once it has one: each child's link goes to it. */
  transport(): Transport | undefined;
  report(error: ClustrError): void;
}

/** The children a process spawned, each kept until it has exited for good, with its latest link. */
export class SpawnedChildren {
  readonly #handles = new Set<WorkerHandle>();
  /** The latest link of each child, for a transport restored after the child started. */
  readonly #links = new Map<WorkerHandle, ChildLink>();

  /** Starts one child per spec (validated first, all or none); they are kept, their links adopted. */
  spawn(specs: readonly SpawnSpec[], context: SpawnContext): WorkerHandle[] {
    const handles = spawnWorkers(specs, {
      parentId: context.parentId,
      transport: context.descriptor,
      handDown: context.presence.handDown(),
      adopt: (link, handle) => {
        this.adopted(handle, link);
        context.transport()?.adopt(link);
      },
    });
    this.add(handles, (error) => context.report(error));
    context.presence.spawned(specs, handles);
    return handles;
  }

  /** The children that have not exited for good. */
  list(): WorkerHandle[] {
    return [...this.#handles];
  }

  /** Records the link of a child's new run (the spawner's adopt hook: it runs before `add`). */
  adopted(handle: WorkerHandle, link: ChildLink): void {
    this.#links.set(handle, link);
  }

  /** Keeps `handles` until each has exited for good; `onError` hears what each reports. */
  add(handles: readonly WorkerHandle[], onError: (error: ClustrError) => void): void {
    for (const handle of handles) {
      this.#handles.add(handle);
      handle.on('error', onError);
      void handle.exited.then(() => {
        this.#handles.delete(handle);
        this.#links.delete(handle);
      });
    }
  }

  /** The links still open, to hand to a transport that was restored late. */
  openLinks(): ChildLink[] {
    return [...this.#links.values()].filter((link) => !link.isClosed);
  }

  /** Stops every child; settles when all have, whatever each stop did. */
  async stopAll(): Promise<void> {
    await Promise.allSettled(this.list().map((child) => child.stop()));
  }
}
