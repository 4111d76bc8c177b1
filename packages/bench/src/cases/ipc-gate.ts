// The cost of identity enforcement on IPC (the trust issue), measured as an A/B in one process:
// the same data frames handed to an IPC router by a child's link (checked by the gatekeeper:
// member of the subtree, canonical fields) and by the parent's link (trusted, not checked). Both
// then take the same path (route, deliver to a local handler), so the ratio is the gate's share
// of a router's whole inbound work per frame: a stricter figure than its share of an end-to-end
// one-way, whose pipe, parse and write it leaves out.
import type { ChildLink, ClustrError, Transport } from '@clustr/protocol';
import { createIpcTransport, restoreTransport } from '@clustr/transport-ipc';
import { type FrameHandler, fakeLink } from '../fake-link.js';
import { measurement, type RunContext } from '../measurement.js';

/** `count` messages as frames of `perFrame` messages each (a run frame when more than one). */
function frames(count: number, workerId: string, perFrame: number): { frame: unknown; line: string }[] {
  const meta = `"meta":{"workerId":"${workerId}","group":"web"}`;
  // Distinct objects, parsed as a link parses them: the router keeps none of them.
  return Array.from({ length: Math.ceil(count / perFrame) }, (_, i) => {
    const data = Array.from({ length: perFrame }, (_, j) => `{"i":${i * perFrame + j}}`).join(',');
    const line =
      perFrame === 1
        ? `{"clustr":1,"channel":"public",${meta},"data":${data}}`
        : `{"clustr":1,"channel":"public",${meta},"run":[${data}]}`;
    return { frame: JSON.parse(line) as unknown, line };
  });
}

/** Hands `count` messages to the router through `deliverTo`; returns messages per second. */
function timeInbound(
  transport: Transport,
  deliverTo: FrameHandler,
  workerId: string,
  count: number,
  perFrame: number,
): number {
  let delivered = 0;
  transport.onMessage(() => delivered++);
  const errors: ClustrError[] = [];
  transport.onError((error) => errors.push(error));
  // A fifth as many frames first, not timed: both sides are measured optimised, not tiering up.
  const warmUp = Math.ceil(count / 5 / perFrame) * perFrame;
  for (const { frame, line } of frames(warmUp, workerId, perFrame)) deliverTo(frame, line, line.length);
  count = Math.ceil(count / perFrame) * perFrame;
  const input = frames(count, workerId, perFrame);
  const start = process.hrtime.bigint();
  for (const { frame, line } of input) deliverTo(frame, line, line.length);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  delivered -= warmUp;
  if (delivered !== count || errors.length > 0) {
    throw new Error(`inbound bench: ${delivered}/${count} delivered, first error: ${errors[0]?.message}`);
  }
  return count / seconds;
}

/** Frames from a child of the root: every one passes the gatekeeper. */
async function fromChild(context: RunContext, perFrame: number): Promise<number> {
  const root = (await createIpcTransport()) as Transport;
  context.defer(() => root.close());
  await root.connect({ group: 'master' });
  await root.subscribe('public');
  const workerId = globalThis.crypto.randomUUID();
  const link = Object.assign(fakeLink([]), { workerId, pid: 1 }) as ChildLink & { frame: FrameHandler };
  root.adopt(link);
  link.frame({ clustr: 1, type: 'join', workerId, group: 'web' }, '', 0);
  return timeInbound(root, link.frame, workerId, context.counts.ipcMessages, perFrame);
}

/** The same frames from the parent: trusted, not checked. */
async function fromParent(context: RunContext, perFrame: number): Promise<number> {
  const written: string[] = [];
  const parent = fakeLink(written);
  const child = restoreTransport({}, { parent }) as Transport;
  context.defer(() => child.close());
  const self = globalThis.crypto.randomUUID();
  await child.connect({ workerId: self, group: 'web' });
  const subscribed = child.subscribe('public');
  // The router writes its `sub` at the end of the turn: answer it with the ack the parent would send.
  await context.wait(
    new Promise<void>((resolve) => {
      const poll = (): void => {
        const sub = written
          .join('')
          .split('\n')
          .find((line) => line.includes('"type":"sub"'));
        if (sub === undefined) return void setImmediate(poll);
        const { id } = JSON.parse(sub) as { id: number };
        parent.frame({ clustr: 1, type: 'ack', id }, '', 0);
        resolve();
      };
      poll();
    }),
    'the sub frame of the trusted side',
  );
  await subscribed;
  const sender = globalThis.crypto.randomUUID();
  return timeInbound(child, parent.frame, sender, context.counts.ipcMessages, perFrame);
}

/** The A/B pair for frames of `perFrame` messages. */
function pair(caseName: string, idPart: string, perFrame: number) {
  return [
    measurement({
      id: `ipc.inbound${idPart}.child-checked`,
      caseName,
      label: 'clustr, from a child (checked)',
      family: 'clustr',
      metrics: { rate: 'msg/s' },
      needsRedis: false,
      run: async (context) => ({ rate: await fromChild(context, perFrame) }),
    }),
    measurement({
      id: `ipc.inbound${idPart}.parent-trusted`,
      caseName,
      label: 'clustr, from the parent (not checked)',
      family: 'baseline',
      metrics: { rate: 'msg/s' },
      needsRedis: false,
      run: async (context) => ({ rate: await fromParent(context, perFrame) }),
    }),
  ];
}

/**
 * The gatekeeper's A/B: messages from a child against the same messages from the parent, as a
 * publishing worker sends them under load (runs of 100: one check per run) and one per frame
 * (a script, or a sender publishing one message per turn: one check per message, the worst case).
 */
export const ipcGateMeasurements = [
  ...pair('ipc inbound, identity checked', '', 100),
  ...pair('ipc inbound, one message per frame', '-single', 1),
];
