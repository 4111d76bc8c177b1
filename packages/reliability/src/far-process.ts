import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FIXTURE_EXEC_ARGV } from '@clustr-internal/conformance';
import type { FarCommand, FarEvent } from './far-worker-wire.js';
import type { VethLink } from './veth-link.js';

const FAR_WORKER = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'far-worker.ts');

/** An event of the far worker with when the test read it (`performance.now()`). */
export type Seen<E extends FarEvent = FarEvent> = E & { readonly at: number };
/** The far worker's counters. */
export type Snapshot = Extract<FarEvent, { event: 'snapshot' }>;

/**
 * The far worker (`fixtures/far-worker.ts`) run inside the link's namespace, driven over its
 * stdin and stdout: every event it says is kept with the time it arrived, and waits are bounded
 * and say what they waited for.
 */
export class FarProcess implements AsyncDisposable {
  readonly events: Seen[] = [];
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();
  #stderr = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let event: FarEvent;
      try {
        event = JSON.parse(line) as FarEvent;
      } catch {
        return;
      }
      this.events.push({ ...event, at: performance.now() });
      for (const wake of this.#waiters) wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < 20_000) this.#stderr += chunk.toString();
    });
    child.on('exit', () => {
      for (const wake of this.#waiters) wake();
    });
  }

  /** Starts the far worker in `link`'s namespace against `url`; resolves once it is ready. */
  static async start(link: VethLink, url: string, namespace: string): Promise<FarProcess> {
    const [file, ...args] = link.exec([process.execPath, ...FIXTURE_EXEC_ARGV, FAR_WORKER, url, namespace]);
    const far = new FarProcess(spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    await far.next((e) => e.event === 'ready', 'the far worker to be ready', 20_000);
    return far;
  }

  get workerId(): string {
    const ready = this.events.find((e) => e.event === 'ready');
    return ready?.event === 'ready' ? ready.workerId : '';
  }

  send(command: FarCommand): void {
    this.#child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /**
   * The first event (already seen, or to come) that matches, from the `from`-th on; fails after
   * `timeoutMs` naming `what`, or at once if the worker exits.
   */
  next(match: (event: Seen) => boolean, what: string, timeoutMs = 15_000, from = 0): Promise<Seen> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        if (found === undefined && this.#child.exitCode === null && this.#child.signalCode === null) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        if (found !== undefined) resolve(found);
        else reject(new Error(`the far worker exited while the test waited for ${what}: ${this.#stderr}`));
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends `command` (`snapshot` or `stop`) and waits for the snapshot that answers it. */
  async snapshot(what: string, command: FarCommand = { cmd: 'snapshot' }): Promise<Seen<Snapshot>> {
    const from = this.events.length;
    this.send(command);
    return (await this.next((e) => e.event === 'snapshot', what, 15_000, from)) as Seen<Snapshot>;
  }

  /** Closes the worker politely, or kills it if it does not exit within 5 s. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    this.send({ cmd: 'close' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
