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

/** One side of the A/B: a router and the link end that hands it frames. */
interface Side {
  readonly transport: Transport;
  readonly deliverTo: FrameHandler;
  readonly sender: string;
  delivered: number;
  seconds: number;
}

function side(transport: Transport, deliverTo: FrameHandler, sender: string): Side {
  const s: Side = { transport, deliverTo, sender, delivered: 0, seconds: 0 };
  transport.onMessage(() => s.delivered++);
  transport.onError((error: ClustrError) => {
    throw new Error(`inbound bench: ${error.message}`);
  });
  return s;
}

function feed(s: Side, input: readonly { frame: unknown; line: string }[]): void {
  const start = process.hrtime.bigint();
  for (const { frame, line } of input) s.deliverTo(frame, line, line.length);
  s.seconds += Number(process.hrtime.bigint() - start) / 1e9;
}

/** A router at the root with a child whose frames it checks: every one passes the gatekeeper. */
async function checkedSide(context: RunContext): Promise<Side> {
  const root = (await createIpcTransport()) as Transport;
  context.defer(() => root.close());
  await root.connect({ group: 'master' });
  await root.subscribe('public');
  const workerId = globalThis.crypto.randomUUID();
  const link = Object.assign(fakeLink([]), { workerId, pid: 1 }) as ChildLink & { frame: FrameHandler };
  root.adopt(link);
  link.frame({ clustr: 1, type: 'join', workerId, group: 'web' }, '', 0);
  return side(root, link.frame, workerId);
}

/** A router in a child, taking the same frames from its parent: trusted, not checked. */
async function trustedSide(context: RunContext): Promise<Side> {
  const written: string[] = [];
  const parent = fakeLink(written);
  const child = restoreTransport({}, { parent }) as Transport;
  context.defer(() => child.close());
  await child.connect({ workerId: globalThis.crypto.randomUUID(), group: 'web' });
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
  return side(child, parent.frame, globalThis.crypto.randomUUID());
}

/** Chunks per side, alternated: whatever else the machine does falls on both sides alike. */
const CHUNKS = 40;

/**
 * Both sides in one window, chunk by chunk in turn (after a warm-up of each), so that load on a
 * shared machine and the JIT's state weigh on them equally. Returns messages per second of each.
 */
async function inboundAB(
  context: RunContext,
  perFrame: number,
): Promise<{ checked: number; trusted: number }> {
  const checked = await checkedSide(context);
  const trusted = await trustedSide(context);
  const perChunk = Math.ceil(context.counts.ipcMessages / CHUNKS / perFrame) * perFrame;
  // Parsed once and handed over again each chunk (the router keeps none of it): the timed work
  // allocates only what the router does, and no garbage of the bench's own lands on either side.
  const inputs = new Map([checked, trusted].map((s) => [s, frames(perChunk, s.sender, perFrame)]));
  for (const s of [checked, trusted]) feed(s, inputs.get(s)!);
  for (const s of [checked, trusted]) {
    s.seconds = 0;
    s.delivered = 0;
  }
  for (let i = 0; i < CHUNKS; i++) {
    for (const s of i % 2 === 0 ? [checked, trusted] : [trusted, checked]) feed(s, inputs.get(s)!);
  }
  for (const s of [checked, trusted]) {
    if (s.delivered !== perChunk * CHUNKS)
      throw new Error(`inbound bench: ${s.delivered}/${perChunk * CHUNKS} delivered`);
  }
  return { checked: checked.delivered / checked.seconds, trusted: trusted.delivered / trusted.seconds };
}

type SideName = 'checked' | 'trusted';

/**
 * The other side's figure of an A/B run by whichever side's measurement came first in its round
 * (the bench rotates which goes first), per frame size and side.
 */
const otherSide = new Map<string, number>();

/** One side of the A/B: takes the figure the other side's run left for it, or runs the A/B. */
async function sideOfAB(context: RunContext, perFrame: number, side: SideName): Promise<{ rate: number }> {
  const key = `${perFrame}:${side}`;
  const left = otherSide.get(key);
  if (left !== undefined) {
    otherSide.delete(key);
    return { rate: left };
  }
  const figures = await inboundAB(context, perFrame);
  const other: SideName = side === 'checked' ? 'trusted' : 'checked';
  otherSide.set(`${perFrame}:${other}`, figures[other]);
  return { rate: figures[side] };
}

/** The A/B pair for frames of `perFrame` messages: both figures come from one interleaved run. */
function pair(caseName: string, idPart: string, perFrame: number) {
  return [
    measurement({
      id: `ipc.inbound${idPart}.child-checked`,
      caseName,
      label: 'clustr, from a child (checked)',
      family: 'clustr',
      metrics: { rate: 'msg/s' },
      needsRedis: false,
      run: (context) => sideOfAB(context, perFrame, 'checked'),
    }),
    measurement({
      id: `ipc.inbound${idPart}.parent-trusted`,
      caseName,
      label: 'clustr, from the parent (not checked)',
      family: 'baseline',
      metrics: { rate: 'msg/s' },
      needsRedis: false,
      run: (context) => sideOfAB(context, perFrame, 'trusted'),
    }),
  ];
}

/**
 * The gatekeeper's A/B: messages from a child against the same messages from the parent, one
 * message per frame — one check per message, the worst case (a script, or a sender publishing
 * one message per turn). A worker publishing under load sends runs, one check per run.
 */
export const ipcGateMeasurements = pair('ipc inbound, identity checked', '', 1);
