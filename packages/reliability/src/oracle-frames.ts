import type { Transport } from '@clustr/protocol';
import fc from 'fast-check';
import { ChildLineJudge, isDeliverableEnvelope, isWireWorkerId, type LineVerdict } from './frame-oracle.js';

/** Where a line holds the sending child's own workerId: the garbage writer puts it in. */
export const CHILD_ID = '@ID@';
/** A workerId of the shape a child claims (a UUID): the oracle judges lines with it in CHILD_ID's place. */
const SAMPLE_CHILD_ID = '00000000-0000-4000-8000-000000000000';
/** The stream name of the marker messages every case carries: `{ s, e: 0, q }`, q unique. */
export const ORACLE_STREAM = 'oracle';

/** One fuzzed frame, what the oracle expects of it, and the markers it carries. */
export interface OracleCase {
  /** The line or payload, as sent (IPC lines with CHILD_ID). */
  text: string;
  /**
   * deliver: every marker reaches the channel's subscribers; refuse: dropped and reported as bad
   * input; forbid: dropped and reported as breaking a trust rule; ignore: none of these.
   */
  verdict: 'deliver' | 'refuse' | 'forbid' | 'ignore';
  channel: string;
  /** The sender the delivered messages must name (`meta.workerId`), CHILD_ID for the child itself. */
  workerId: string | undefined;
  /** Marker sequence numbers, in the order they must arrive. */
  qs: number[];
}

const ABSENT = Symbol('absent');
type Maybe<T> = T | typeof ABSENT;
const sometimes = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>, oddWeight = 1) =>
  fc.oneof({ weight: 10, arbitrary: usual }, { weight: oddWeight, arbitrary: odd });

const NOT_A_NAME = [
  '',
  ' public',
  'public ',
  '-a',
  '.a',
  ':a',
  'a b',
  'a/b',
  'a*',
  'é',
  'a\n',
  null,
  5,
  ['a'],
  {},
];
const validGroup = fc.oneof(
  fc.constantFrom('bash', 'g', '0', 'A-b_c.9', 'x'.repeat(64)),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/),
);
const badGroup = fc.oneof(fc.constantFrom(...NOT_A_NAME, 'x'.repeat(65), 'a:b'), fc.string({ maxLength: 8 }));
const badWorkerId = fc
  .oneof(fc.constantFrom(...NOT_A_NAME, 'x'.repeat(129), 'kill:x'), fc.string())
  .filter((v) => !isWireWorkerId(v));

/** `meta` with the sender's `workerId` and `group`, or broken in one way. */
function metaOf(workerId: fc.Arbitrary<unknown>, group: fc.Arbitrary<unknown>) {
  return fc.oneof(
    { weight: 12, arbitrary: fc.record({ workerId, group }) },
    { weight: 1, arbitrary: fc.record({ workerId, group, note: fc.jsonValue({ maxDepth: 1 }) }) },
    { weight: 1, arbitrary: fc.record({ workerId, group: badGroup }) },
    { weight: 1, arbitrary: fc.record({ workerId: badWorkerId, group }) },
    { weight: 1, arbitrary: fc.record({ workerId }) },
    { weight: 1, arbitrary: fc.constantFrom(null, 1, 'meta', [], [{ group: 'bash' }]) },
  );
}

const VERDICTS: Record<Exclude<LineVerdict, 'control'>, OracleCase['verdict']> = {
  deliver: 'deliver',
  forbid: 'forbid',
  bad: 'refuse',
  user: 'ignore',
};

const payload = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'data' as const, n: 1 }) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => ({ kind: 'run' as const, n })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('both', 'none', 'empty run', 'run not array').map((kind) => ({ kind, n: 1 })),
  },
);

/** Builds `{clustr, type, channel, meta, data | run, note}` from the drawn parts, numbering its markers. */
function build(parts: Record<string, unknown>, load: { kind: string; n: number }, next: () => number) {
  const frame: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parts)) if (value !== ABSENT) frame[key] = value;
  const qs: number[] = [];
  const marker = () => {
    const q = next();
    qs.push(q);
    return { s: ORACLE_STREAM, e: 0, q };
  };
  if (load.kind === 'data' || load.kind === 'both') frame.data = marker();
  if (load.kind === 'run' || load.kind === 'both') frame.run = Array.from({ length: load.n }, marker);
  if (load.kind === 'empty run') frame.run = [];
  if (load.kind === 'run not array') frame.run = marker();
  return { frame, qs };
}

/**
 * The channels valid frames go to: `master`, `public` and names at the edges of the channel rule
 * (one character, 200, `:` inside), plus a few drawn from it — none a control channel (`kill:…`)
 * or a reserved name with a meaning of its own. The test subscribes the master to all of them.
 */
export function oracleChannels(seed: number): string[] {
  const edges = ['master', 'public', '0', 'x'.repeat(200), 'a:b.c', 'Z_.-:9'];
  const drawn = fc.sample(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,30}$/), { numRuns: 10, seed });
  const reserved = /^(kill(:.*)?|clustr|confirmation|external)$/i;
  return [...new Set([...edges, ...drawn.filter((name) => !reserved.test(name))])];
}

/**
 * `count` data frames as a child writes them on its link after `before` (the lines it wrote
 * first, by which it joined): mostly what it may send, each broken in a few ways (tag, type,
 * channel, meta, data/run, an extra field, speaking for another process or group), judged in
 * order by the oracle. Valid channels come from `channels` only (the test subscribes to them).
 */
export function oracleLines(
  count: number,
  seed: number,
  maxLineBytes: number,
  channels: readonly string[],
  before: readonly string[],
) {
  const judge = new ChildLineJudge(SAMPLE_CHILD_ID, maxLineBytes);
  const asWritten = (text: string) => Buffer.from(text.replaceAll(CHILD_ID, SAMPLE_CHILD_ID));
  for (const line of before) judge.judge(asWritten(line));
  const { group } = judge;
  if (group === undefined) throw new Error('the lines before the cases must make the child join');
  // Mostly the child itself; now and then another process, or itself under another group.
  const self = sometimes(
    fc.constant<unknown>(CHILD_ID),
    fc.constantFrom('w-1', SAMPLE_CHILD_ID.replace(/0/g, 'a')),
  );
  const arb = fc.record({
    clustr: sometimes(fc.constant<Maybe<unknown>>(1), fc.constantFrom(ABSENT, '1', true, 2, 1.5, null)),
    type: sometimes(
      fc.constant<Maybe<unknown>>(ABSENT),
      fc.constantFrom(null, 'data', 'ack', 'welcome', 'batch', 7),
    ),
    channel: sometimes(
      fc.constantFrom<unknown>(...channels),
      fc.oneof(fc.constantFrom(...NOT_A_NAME, 'x'.repeat(201)), fc.string({ maxLength: 6 })),
      3,
    ),
    meta: metaOf(self, sometimes(fc.constant(group), validGroup, 2)),
    note: sometimes(fc.constant<Maybe<unknown>>(ABSENT), fc.jsonValue({ maxDepth: 1 })),
    load: payload,
  });
  let q = 0;
  const cases: OracleCase[] = [];
  for (const { load, ...parts } of fc.sample(arb, { numRuns: count * 2, seed })) {
    if (cases.length >= count) break;
    const first = q;
    const { frame, qs } = build(parts, load, () => q++);
    const text = JSON.stringify(frame);
    const judged = judge.judge(asWritten(text));
    if (judged === 'control') throw new Error(`the generator made a control frame: ${text}`);
    // A valid frame to a channel nobody subscribes to proves nothing: drawn again.
    if (judged === 'deliver' && !channels.includes(frame.channel as string)) {
      q = first;
      continue;
    }
    cases.push({ text, verdict: VERDICTS[judged], channel: String(frame.channel), workerId: CHILD_ID, qs });
  }
  return cases;
}

/** `count` Redis envelopes `{meta, data}` from outside the cluster, judged by the oracle. */
export function oracleEnvelopes(count: number, seed: number, maxPayloadBytes: number) {
  const workerId = sometimes(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/), fc.constant(undefined));
  const arb = fc.record({
    meta: metaOf(workerId, validGroup),
    note: sometimes(fc.constant<Maybe<unknown>>(ABSENT), fc.jsonValue({ maxDepth: 1 })),
    hasData: sometimes(fc.constant(true), fc.constant(false)),
  });
  let q = 0;
  return fc.sample(arb, { numRuns: count, seed }).map(({ meta, note, hasData }): OracleCase => {
    const envelope: Record<string, unknown> = { meta };
    if (note !== ABSENT) envelope.note = note;
    const qs = [q++];
    envelope.data = hasData ? { s: ORACLE_STREAM, e: 0, q: qs[0] } : undefined;
    const text = JSON.stringify(envelope);
    const verdict = isDeliverableEnvelope(Buffer.from(text), maxPayloadBytes) ? 'deliver' : 'refuse';
    const id = (meta as { workerId?: unknown } | null)?.workerId;
    return { text, verdict, channel: 'public', workerId: typeof id === 'string' ? id : undefined, qs };
  });
}

/** A marker message the test saw delivered: on which channel, from whom. */
export interface SeenMarker {
  channel: string;
  workerId: string | undefined;
  q: number;
}

/** How many cases of each verdict, how many the cluster treated as the oracle says, and the first disagreements. */
export interface OracleTally {
  deliver: number;
  refuse: number;
  forbid: number;
  ignore: number;
  /** Cases to deliver whose every message arrived exactly once, on their channel, from their sender. */
  delivered: number;
  problems: string[];
}

/** A case's text for a message: long runs of one character shortened (`x×200`), at most 240 characters. */
function abbreviate(text: string): string {
  return text.replace(/(.)\1{15,}/gs, (run, c: string) => `${c}×${run.length}`).slice(0, 240);
}

/**
 * Compares what was delivered (`seen`, in arrival order) with the oracle's verdicts: every
 * message of an accepted frame arrives once, in order, on its channel, naming its sender
 * (`childId` for CHILD_ID); nothing of a refused or ignored one arrives. That refused ones are
 * also counted and reported is the caller's check (they add up with the other bad input).
 */
export function checkOracle(
  cases: readonly OracleCase[],
  seen: readonly SeenMarker[],
  childId = '',
): OracleTally {
  const byQ = new Map<number, OracleCase>();
  for (const c of cases) for (const q of c.qs) byQ.set(q, c);
  const tally: OracleTally = { deliver: 0, refuse: 0, forbid: 0, ignore: 0, delivered: 0, problems: [] };
  const note = (problem: string, c?: OracleCase) => {
    if (tally.problems.length < 10)
      tally.problems.push(c === undefined ? problem : `${problem}: ${abbreviate(c.text)}`);
  };
  const times = new Map<number, number>();
  let last = -1;
  for (const { channel, workerId, q } of seen) {
    const c = byQ.get(q);
    times.set(q, (times.get(q) ?? 0) + 1);
    const sender = c?.workerId === CHILD_ID ? childId : c?.workerId;
    if (c === undefined) note(`marker ${q} belongs to no case`);
    else if (c.verdict !== 'deliver') note(`delivered though the oracle says ${c.verdict}`, c);
    else if (channel !== c.channel || workerId !== sender)
      note(`delivered on "${channel}" from ${workerId}, not on "${c.channel}" from ${sender}`, c);
    if (q < last) note(`marker ${q} arrived after ${last}`);
    last = Math.max(last, q);
  }
  for (const c of cases) {
    tally[c.verdict]++;
    if (c.verdict !== 'deliver') continue;
    const once = c.qs.filter((q) => times.get(q) === 1).length;
    if (once === c.qs.length) tally.delivered++;
    else
      note(
        `the oracle accepts it, but ${c.qs.length - once}/${c.qs.length} of its messages did not arrive exactly once`,
        c,
      );
  }
  return tally;
}

/** Records every marker message that reaches `transport` (the master's), whatever its channel. */
export function watchMarkers(transport: Transport): SeenMarker[] {
  const seen: SeenMarker[] = [];
  transport.onMessage((channel, { meta, data }) => {
    const marker = data as { s?: unknown; q?: unknown } | null;
    if (marker?.s === ORACLE_STREAM && typeof marker.q === 'number')
      seen.push({ channel, workerId: meta.workerId, q: marker.q });
  });
  return seen;
}
