import type { ClustrError, Master } from '@clustr/core';
import type { WorkReply, WorkRequest } from './commands.js';

/** How one request ended: its reply, or the code it failed with, when, and (if known) who was asked. */
export type RequestEnd = { reply: WorkReply } | { code: string; responder: string | undefined; at: number };

/**
 * Keeps `window` requests in flight from the master to a group (a new one as each settles),
 * numbered by `seq`, until stopped; records how each one ended, once. A request whose promise
 * settled twice, or whose reply names another seq, is counted as answered wrongly.
 */
export class RequestPump {
  /** How each started request ended; absent while it is in flight. */
  readonly ends = new Map<number, RequestEnd>();
  /** Requests that settled a second time or with another request's reply. */
  readonly wrong: string[] = [];
  readonly #repliesByPid = new Map<number, number>();
  #started = 0;
  #inFlight = 0;
  #isStopped = false;

  constructor(
    private readonly master: Master,
    private readonly group: string,
    private readonly options: { window: number; timeoutMs: number; workMs: () => number },
    private readonly onChange: () => void,
  ) {}

  get started(): number {
    return this.#started;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  start(): void {
    for (let i = 0; i < this.options.window; i++) this.#next();
  }

  /** No new requests; those in flight still settle. */
  stop(): void {
    this.#isStopped = true;
  }

  /** Replies from one incarnation (pid) of a worker so far. */
  answeredBy(pid: number): number {
    return this.#repliesByPid.get(pid) ?? 0;
  }

  #next(): void {
    if (this.#isStopped) return;
    const seq = this.#started++;
    this.#inFlight++;
    const data: WorkRequest = { seq, ms: this.options.workMs() };
    this.master.request<WorkReply>(this.group, 'work', data, { timeoutMs: this.options.timeoutMs }).then(
      (reply) => this.#end(seq, reply.seq === seq ? { reply } : undefined),
      (error: ClustrError) => {
        const responder = error.details?.responder;
        this.#end(seq, {
          code: error.code,
          responder: typeof responder === 'string' ? responder : undefined,
          at: performance.now(),
        });
      },
    );
  }

  #end(seq: number, end: RequestEnd | undefined): void {
    if (end === undefined || this.ends.has(seq)) this.wrong.push(`request ${seq} answered wrongly or twice`);
    else {
      this.ends.set(seq, end);
      if ('reply' in end) this.#repliesByPid.set(end.reply.pid, this.answeredBy(end.reply.pid) + 1);
    }
    this.#inFlight--;
    this.#next();
    this.onChange();
  }
}
