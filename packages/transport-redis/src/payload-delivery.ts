import { ClustrError, type Envelope, isClustrError, type Meta } from '@clustr/protocol';
import { type DecodedPayload, EnvelopeChecker, type RunValue, refusedRunItem } from './decode-payload.js';
import { GapTracker } from './gap-tracker.js';
import { LossReports } from './loss-reports.js';
import { createPayloadReader, type PayloadReader } from './read-payload.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

/** Where delivered messages and dropped payloads go. */
export interface DeliveryHooks {
  deliver(channel: string, envelope: Envelope): void;
  report(error: ClustrError): void;
  /** A dropped payload, reported throttled per `source` (the Redis channel). */
  reportFrame(source: string, error: ClustrError): void;
}

/**
 * What a subscriber does with a payload: reads it once (signature, size, JSON), notes the gap
 * its sender's numbering shows, checks each message of it and delivers the good ones in order;
 * a bad message, or a bad payload, is dropped, counted and reported.
 */
export class PayloadDelivery {
  /** Payloads, or messages of a run or an array, dropped because they were not valid. */
  badPayloads = 0;
  /** Payloads dropped for breaking a trust rule: unsigned, wrongly signed, outside the replay window. */
  forbidden = 0;
  /** Valid messages delivered. */
  received = 0;
  /** Messages numbered by their senders that never arrived (gaps in their sequences). */
  missed = 0;
  readonly #gaps = new GapTracker();
  readonly #lossReports: LossReports;
  readonly #envelopes = new EnvelopeChecker();
  readonly #read: PayloadReader;
  readonly #prefix: string;
  readonly #hooks: DeliveryHooks;

  constructor(options: ResolvedRedisOptions, hooks: DeliveryHooks) {
    this.#prefix = `${options.namespace}:`;
    this.#hooks = hooks;
    this.#read = createPayloadReader(options);
    this.#lossReports = new LossReports(hooks.report);
  }

  /** What is sent to `channel` from now on is not missed: its numbering starts afresh. */
  forget(channel: string): void {
    this.#gaps.forget(channel);
  }

  /** Sends the loss reports still held back. */
  close(): void {
    this.#lossReports.close();
  }

  /** Checks a payload that arrived on `channel` (one this process subscribes), counts and delivers it. */
  receive(channel: string, message: Uint8Array, isKill: boolean): void {
    const redisChannel = this.#prefix + channel;
    let payload: DecodedPayload;
    try {
      payload = this.#read(redisChannel, message, isKill);
    } catch (error) {
      this.#drop(channel, redisChannel, error, 'a payload');
      return;
    }
    const { value, last, count } = payload;
    if (last !== undefined && last.src !== undefined) {
      const missed = this.#gaps.observe(channel, last.src, last.seq, count);
      if (missed > 0) {
        this.missed += missed;
        this.#lossReports.add(last.src as string, redisChannel, missed);
      }
    }
    if (payload.form === 'envelope') this.#deliverOne(channel, redisChannel, value, -1, 1);
    else if (payload.form === 'run') this.#deliverRun(channel, redisChannel, value as RunValue);
    else {
      // Parsed once as a whole; each envelope is checked on its own, so one bad one costs only itself.
      const elements = value as unknown[];
      for (let i = 0; i < count; i++) this.#deliverOne(channel, redisChannel, elements[i], i, count);
    }
  }

  /** Checks and delivers the envelope at `index` of `count` in an array (`-1`: a lone payload). */
  #deliverOne(channel: string, redisChannel: string, element: unknown, index: number, count: number): void {
    let envelope: Envelope;
    try {
      envelope = this.#envelopes.check(element);
    } catch (error) {
      // Named only when dropped: no string per delivered message.
      const what = index < 0 ? 'a payload' : `envelope ${index + 1} of ${count} of an array`;
      this.#drop(channel, redisChannel, error, what);
      return;
    }
    this.received++;
    this.#hooks.deliver(channel, envelope);
  }

  /** Checks a run's meta once, then delivers each message in order with a meta of its own. */
  #deliverRun(channel: string, redisChannel: string, { meta: given, run }: RunValue): void {
    let meta: Meta;
    try {
      meta = this.#envelopes.runMeta(given);
    } catch (error) {
      this.#drop(channel, redisChannel, error, `a run of ${run.length} messages`);
      return;
    }
    for (let i = 0; i < run.length; i++) {
      const refused = refusedRunItem(run[i]);
      if (refused !== undefined) {
        this.#drop(channel, redisChannel, refused, `message ${i + 1} of ${run.length} of a run`);
        continue;
      }
      this.received++;
      this.#hooks.deliver(channel, { meta: i === 0 ? meta : this.#envelopes.nextMeta(), data: run[i] });
    }
  }

  /**
   * Counts a dropped payload (or one envelope of an array: `what`) and reports it, throttled per
   * channel: a flood makes a few reports.
   */
  #drop(channel: string, redisChannel: string, error: unknown, what: string): void {
    const isForbidden = isClustrError(error) && error.code === 'ERR_CLUSTR_FORBIDDEN';
    if (isForbidden) this.forbidden++;
    else this.badPayloads++;
    const reason = error instanceof Error ? error.message : String(error);
    const details = isClustrError(error) ? error.details : undefined;
    // Per fault too, so a summary of 999 "like this" says what they were.
    const fault = isForbidden ? ` (${String(details?.fault)})` : '';
    this.#hooks.reportFrame(
      `redis channel "${redisChannel}"${fault}`,
      new ClustrError(
        isForbidden ? 'ERR_CLUSTR_FORBIDDEN' : 'ERR_CLUSTR_BAD_FRAME',
        `dropped ${what} on redis channel "${redisChannel}": ${reason}`,
        { cause: error, details: { ...details, channel } },
      ),
    );
  }
}
