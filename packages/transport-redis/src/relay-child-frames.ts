import {
  type ChildLink,
  ClustrError,
  type DataFrame,
  encodeEnvelope,
  type Frame,
  type RunFrame,
  validateFrame,
} from '@clustr/protocol';

/** Where relayed frames go. */
export interface RelayTarget {
  /** Publishes an envelope that is already JSON to `channel`. */
  publishEncoded(channel: string, envelopeJson: string): void;
  report(error: ClustrError): void;
}

function relayOne(frame: DataFrame | RunFrame, target: RelayTarget, workerId: string): void {
  const envelopes: string[] = [];
  try {
    const { meta } = frame;
    const metaJson = JSON.stringify(
      meta.workerId === undefined ? { group: meta.group } : { workerId: meta.workerId, group: meta.group },
    );
    // A run (several messages in one line) goes on as one envelope per message.
    const data = 'run' in frame ? frame.run : [frame.data];
    for (const item of data) envelopes.push(encodeEnvelope(metaJson, JSON.stringify(item)));
  } catch (error) {
    target.report(
      new ClustrError(
        'ERR_CLUSTR_BAD_FRAME',
        `frame of child ${workerId} on channel "${frame.channel}" cannot be re-encoded`,
        {
          cause: error,
          details: { workerId, channel: frame.channel },
        },
      ),
    );
    return;
  }
  for (const envelopeJson of envelopes) target.publishEncoded(frame.channel, envelopeJson);
}

/**
 * Relays into Redis the data frames a child writes on its IPC link (a bash worker writes
 * `{"clustr":1,"channel":…,"meta":…,"data":…}` lines), each with its own meta. Control frames
 * are not the Redis transport's business and are ignored.
 * Returns a function that detaches from the link.
 */
export function relayChildFrames(link: ChildLink, target: RelayTarget, onDetach?: () => void): () => void {
  const { workerId } = link;
  const offFrame = link.onFrame((value) => {
    let frame: Frame;
    try {
      frame = validateFrame(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      target.report(
        new ClustrError('ERR_CLUSTR_BAD_FRAME', `child ${workerId} wrote a bad frame: ${reason}`, {
          cause: error,
          details: { workerId },
        }),
      );
      return;
    }
    if (!('type' in frame)) relayOne(frame, target, workerId);
  });
  const offBad = link.onBadInput((error) => target.report(error));
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
