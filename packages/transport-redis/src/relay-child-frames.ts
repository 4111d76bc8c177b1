import {
  type ChildLink,
  ClustrError,
  type DataFrame,
  encodeEnvelope,
  type Frame,
  type RunFrame,
  validateFrame,
} from '@clustr/protocol';
import { describeValue, isGroupName } from '@clustr/protocol/internal';

/** Where relayed frames go. */
export interface RelayTarget {
  /** Publishes an envelope that is already JSON to `channel` (signed on its way out, with a secret). */
  publishEncoded(channel: string, envelopeJson: string): void;
  /** Reports a dropped frame, throttled per `source`. */
  reportFrame(source: string, error: ClustrError): void;
  /** Counts a frame dropped for breaking a trust rule. */
  countForbidden(): void;
}

/**
 * The identity a child speaks with: its own workerId (the link's) and the group of its first
 * frame. The meta is encoded once, here, not per frame.
 */
interface ChildIdentity {
  readonly group: string;
  readonly metaJson: string;
}

/**
 * Why `frame` may not be relayed for the child behind `link`, or undefined: a child speaks only
 * for itself (`meta.workerId` is its own) and with one group, the first it used, which must be
 * one a worker may take (not reserved such as `master`, not a workerId's shape).
 */
function identityFault(
  frame: DataFrame | RunFrame,
  workerId: string,
  identity: ChildIdentity | undefined,
): string | undefined {
  const { meta } = frame;
  if (meta.workerId !== workerId) {
    return `its meta.workerId is ${describeValue(meta.workerId)}, not its own ("${workerId}"): a child speaks only for itself`;
  }
  if (identity === undefined) {
    return isGroupName(meta.group) ? undefined : `its meta.group "${meta.group}" is one no worker may take`;
  }
  return meta.group === identity.group
    ? undefined
    : `its meta.group "${meta.group}" is not the group it first spoke with ("${identity.group}"): a child has one group`;
}

function encodeAll(frame: DataFrame | RunFrame, metaJson: string): string[] {
  // A run (several messages in one line) goes on as one envelope per message.
  const data = 'run' in frame ? frame.run : [frame.data];
  return data.map((item) => encodeEnvelope(metaJson, JSON.stringify(item)));
}

/**
 * Relays into Redis the data frames a child writes on its IPC link (a bash worker writes
 * `{"clustr":1,"channel":…,"meta":{"workerId":"$CLUSTR_WORKER_ID","group":…},"data":…}` lines).
 * Frames that speak for another workerId or a second group are dropped and reported
 * (`ERR_CLUSTR_FORBIDDEN`); bad frames too (`ERR_CLUSTR_BAD_FRAME`); both throttled per child.
 * The child never holds the secret: what it writes is signed by this process as it leaves.
 * Control frames are not the Redis transport's business and are ignored.
 * Returns a function that detaches from the link.
 */
export function relayChildFrames(link: ChildLink, target: RelayTarget, onDetach?: () => void): () => void {
  const { workerId } = link;
  const source = `child ${workerId}`;
  let identity: ChildIdentity | undefined;
  const drop = (
    code: 'ERR_CLUSTR_BAD_FRAME' | 'ERR_CLUSTR_FORBIDDEN',
    reason: string,
    details = {},
    cause?: unknown,
  ) =>
    target.reportFrame(
      source,
      new ClustrError(code, `dropped a frame of child ${workerId}: ${reason}`, {
        cause,
        details: { workerId, ...details },
      }),
    );
  const relay = (frame: DataFrame | RunFrame): void => {
    const fault = identityFault(frame, workerId, identity);
    if (fault !== undefined) {
      target.countForbidden();
      const { meta } = frame;
      drop('ERR_CLUSTR_FORBIDDEN', fault, {
        channel: frame.channel,
        claimed: { workerId: meta.workerId, group: meta.group },
      });
      return;
    }
    identity ??= { group: frame.meta.group, metaJson: JSON.stringify({ workerId, group: frame.meta.group }) };
    let envelopes: string[];
    try {
      envelopes = encodeAll(frame, identity.metaJson);
    } catch (error) {
      drop(
        'ERR_CLUSTR_BAD_FRAME',
        `it cannot be re-encoded (channel "${frame.channel}")`,
        { channel: frame.channel },
        error,
      );
      return;
    }
    for (const envelopeJson of envelopes) target.publishEncoded(frame.channel, envelopeJson);
  };
  const offFrame = link.onFrame((value) => {
    let frame: Frame;
    try {
      frame = validateFrame(value);
    } catch (error) {
      drop('ERR_CLUSTR_BAD_FRAME', error instanceof Error ? error.message : String(error), {}, error);
      return;
    }
    if (!('type' in frame)) relay(frame);
  });
  const offBad = link.onBadInput((error) => target.reportFrame(source, error));
  let offClose = (): void => {};
  const detach = (): void => {
    offFrame();
    offBad();
    offClose();
    onDetach?.();
  };
  offClose = link.onClose(detach);
  return detach;
}
