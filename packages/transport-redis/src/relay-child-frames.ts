import {
  type ChildLink,
  ClustrError,
  type DataFrame,
  type Frame,
  type RunFrame,
  validateFrame,
} from '@clustr/protocol';
import { describeValue, isGroupName, nonCanonicalField } from '@clustr/protocol/internal';

/** Where relayed frames go. */
export interface RelayTarget {
  /** Publishes a message whose meta and data are already JSON to `channel` (signed on its way out, with a secret). */
  publishEncoded(channel: string, metaJson: string, dataJson: string): void;
  /** Reports a dropped frame, throttled per `source`. */
  reportFrame(source: string, error: ClustrError): void;
  /** Counts a frame dropped for breaking a trust rule. */
  countForbidden(): void;
}

/**
 * The identity a child speaks with: its own workerId (the link's) and one group — the one it
 * joined with, or the group of its first data frame. The meta is encoded once, here.
 */
interface ChildIdentity {
  readonly group: string;
  readonly metaJson: string;
}

/**
 * Why a child may not speak as `claimed`, or undefined: a child speaks only for itself (its
 * link's workerId) and with one group, which must be one a worker may take (not reserved such as
 * `master`, not a workerId's shape). The same rule as the IPC transport's, so a bash script that
 * works on one works on the other.
 */
function identityFault(
  claimed: { readonly workerId?: string | undefined; readonly group: string },
  workerId: string,
  identity: ChildIdentity | undefined,
): string | undefined {
  if (claimed.workerId !== workerId) {
    return `its meta.workerId is ${describeValue(claimed.workerId)}, not its own ("${workerId}"): a child speaks only for itself`;
  }
  if (identity === undefined) {
    return isGroupName(claimed.group) ? undefined : `its group "${claimed.group}" is one no worker may take`;
  }
  return claimed.group === identity.group
    ? undefined
    : `its group "${claimed.group}" is not the group it joined with ("${identity.group}"): a child has one group`;
}

/** The data of each message of a frame, as JSON (a run carries several). */
function encodeAll(frame: DataFrame | RunFrame): string[] {
  const data = 'run' in frame ? frame.run : [frame.data];
  return data.map((item) => JSON.stringify(item));
}

/**
 * Relays into Redis the data frames a child writes on its IPC link (a bash worker writes
 * `{"clustr":1,"channel":…,"meta":{"workerId":"$CLUSTR_WORKER_ID","group":…},"data":…}` lines).
 * Frames that speak for another workerId or a second group, or carry a field the wire does not
 * define, are dropped and reported (`ERR_CLUSTR_FORBIDDEN`); bad frames too
 * (`ERR_CLUSTR_BAD_FRAME`); both throttled per child. A `join` for itself fixes the child's
 * group; other control frames are not the Redis transport's business. The child never holds the
 * secret: what it writes is signed by this process as it leaves.
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
  ): void => {
    if (code === 'ERR_CLUSTR_FORBIDDEN') target.countForbidden();
    const message = `dropped a frame of child ${workerId}: ${reason}`;
    target.reportFrame(source, new ClustrError(code, message, { cause, details: { workerId, ...details } }));
  };
  /** Takes `claimed` as the child's identity when it may speak as it; reports why not otherwise. */
  const admit = (
    claimed: { readonly workerId?: string | undefined; readonly group: string },
    channel?: string,
  ) => {
    const fault = identityFault(claimed, workerId, identity);
    if (fault !== undefined) {
      drop('ERR_CLUSTR_FORBIDDEN', fault, {
        channel,
        claimed: { workerId: claimed.workerId, group: claimed.group },
      });
      return false;
    }
    identity ??= { group: claimed.group, metaJson: JSON.stringify({ workerId, group: claimed.group }) };
    return true;
  };
  const relay = (frame: DataFrame | RunFrame): void => {
    const { channel } = frame;
    if (!admit(frame.meta, channel)) return;
    const extra = nonCanonicalField(frame);
    if (extra !== undefined) {
      drop('ERR_CLUSTR_FORBIDDEN', `it carried the field "${extra}", which the wire does not define`, {
        channel,
      });
      return;
    }
    let datas: string[];
    try {
      datas = encodeAll(frame);
    } catch (error) {
      drop('ERR_CLUSTR_BAD_FRAME', `it cannot be re-encoded (channel "${channel}")`, { channel }, error);
      return;
    }
    const { metaJson } = identity as ChildIdentity;
    for (const dataJson of datas) target.publishEncoded(channel, metaJson, dataJson);
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
    else if (frame.type === 'join') admit(frame);
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
