import { type ChildLink, ClustrError, type TransportDescriptor } from '@clustr/protocol';
import { describeValue, isWorkerId, randomId } from '@clustr/protocol/internal';
import { validateSpawnSpecs } from './validate-spawn-specs.js';
import type { WorkerHandle } from './worker-handle.js';
import { WorkerSlot } from './worker-slot.js';

/** Who spawns, and what its children inherit. */
export interface SpawnContext {
  /** The spawning process's workerId, or `master`. Children read it from `CLUSTR_PARENT_ID`. */
  parentId: string;
  /**
   * The spawning process's transport, as its children rebuild it (sent in each child's
   * `welcome`). A promise when the spawning process does not know it yet (a child that spawns
   * before its own parent's welcome came): the welcomes wait for it.
   */
  transport: TransportDescriptor | Promise<TransportDescriptor>;
  /**
   * The directory relative spec files resolve against.
   * @default dirname(process.argv[1])
   */
  baseDir?: string;
  /**
   * Called synchronously at every start of every child, restarts included, before any frame
   * the child writes is delivered: the place to hand the link to the transport. A link given
   * to the transport later (once it is loaded) loses nothing either: frames that arrive while it
   * has no `onFrame` handler are held (up to `DEFAULT_MAX_BUFFERED_FRAMES`) and go, in order, to
   * the first handler registered.
   */
  adopt?(link: ChildLink, handle: WorkerHandle): void;
  /**
   * What the spawning clustr process hands to its children's clustr processes in every welcome
   * (`welcome.process`), e.g. the presence options they inherit. JSON only.
   * @default nothing
   */
  handDown?: Readonly<Record<string, unknown>>;
}

function checkContext(context: unknown): asserts context is SpawnContext {
  const fail = (what: string, value: unknown, allowed: string) =>
    new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `spawn context ${what} ${describeValue(value)} is not valid (allowed: ${allowed})`,
      {
        details: { option: what, value },
      },
    );
  if (typeof context !== 'object' || context === null)
    throw fail('', context, 'an object { parentId, transport }');
  const { parentId, transport, adopt } = context as Record<string, unknown>;
  if (parentId !== 'master' && !isWorkerId(parentId))
    throw fail('parentId', parentId, "'master' or a workerId");
  const descriptor = transport as Record<string, unknown> | null | undefined;
  if (transport instanceof Promise) {
    // Checked when it settles, by the welcome that needs it.
  } else if (
    typeof descriptor !== 'object' ||
    descriptor === null ||
    typeof descriptor.name !== 'string' ||
    typeof descriptor.module !== 'string' ||
    typeof descriptor.options !== 'object' ||
    descriptor.options === null
  ) {
    throw fail('transport', transport, 'a TransportDescriptor { name, module, options }');
  }
  if (adopt !== undefined && typeof adopt !== 'function') throw fail('adopt', adopt, 'a function');
}

/**
 * Validates every spec, then starts one supervised child per spec. Returns the handles at once;
 * when any spec is invalid it throws (`ClustrError`) and starts nothing.
 *
 * @example
 * const [web] = spawnWorkers([{ file: './web.js', cpu: 0 }], { parentId: 'master', transport: ipc.describe() });
 * await web.ready;
 */
export function spawnWorkers(specs: unknown, context: SpawnContext): WorkerHandle[] {
  checkContext(context);
  const normalized = validateSpawnSpecs(specs, { baseDir: context.baseDir });
  const adopt = context.adopt?.bind(context);
  const slots = normalized.map(
    (spec) =>
      new WorkerSlot(
        spec,
        {
          workerId: randomId(),
          parentId: context.parentId,
          transport: context.transport,
          ...(context.handDown === undefined ? {} : { handDown: context.handDown }),
        },
        adopt,
      ),
  );
  for (const slot of slots) slot.start();
  return slots;
}
