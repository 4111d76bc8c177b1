import { ClustrError, type TransportDescriptor } from '@clustr/protocol';
import { encodeControlFrame } from '@clustr/protocol/internal';
import type { ChildLinkImpl } from './child-link.js';
import type { ChildIdentity } from './start-child.js';

/** What {@link answerHello} needs of the run a hello came on. */
export interface GreetedRun {
  readonly link: ChildLinkImpl | undefined;
  /** Hellos the child wrote on this run so far. */
  hellos: number;
}

/** Where {@link answerHello} reports, and whether the run is still the slot's live one. */
export interface HelloHooks {
  isLive(): boolean;
  report(error: ClustrError): void;
}

/**
 * Answers a child's hello with its welcome: what it needs and must not find in its environment,
 * its transport (credentials included). Once per run: answering again would let a child that
 * never reads make this process buffer without end, so a second hello is reported (once) and
 * later ones are dropped. A parent with no transport to hand down closes the link, which ends a
 * child waiting for its welcome instead of leaving it waiting.
 */
export function answerHello(
  run: GreetedRun,
  identity: ChildIdentity,
  hooks: HelloHooks,
  facts: { readonly restarts: number; readonly cpu?: number } = { restarts: 0 },
): void {
  const { workerId, parentId, transport, handDown } = identity;
  if (run.hellos++ > 0) {
    if (run.hellos === 2) {
      hooks.report(
        new ClustrError(
          'ERR_CLUSTR_BAD_FRAME',
          `worker ${workerId} said hello again on the same run: ignored (one welcome per run)`,
        ),
      );
    }
    return;
  }
  const welcome = (descriptor: TransportDescriptor): void => {
    if (!hooks.isLive()) return;
    const frame = encodeControlFrame({
      clustr: 1,
      type: 'welcome',
      workerId,
      parentId,
      transport: descriptor,
      ...facts,
      ...(handDown === undefined ? {} : { process: handDown }),
    });
    run.link?.write(`${frame}\n`);
  };
  if (!(transport instanceof Promise)) {
    welcome(transport);
    return;
  }
  transport.then(welcome, (error: unknown) => {
    hooks.report(
      new ClustrError(
        'ERR_CLUSTR_NO_TRANSPORT',
        `worker ${workerId} cannot be welcomed: its parent has no transport to hand down`,
        { cause: error },
      ),
    );
    run.link?.destroy();
  });
}
