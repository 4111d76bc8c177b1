import { ClustrError } from '@clustr/protocol';

/** `details.reason` of a connection lost because the server stopped answering its PINGs. */
export const SERVER_UNREACHABLE = 'server-unreachable';

/** True for the report of a connection the health check found cut off from the server. */
export function isServerUnreachable(error: ClustrError): boolean {
  return (error.details as { reason?: unknown } | undefined)?.reason === SERVER_UNREACHABLE;
}

/** How often a connection is checked and how long its PING may stay unanswered. */
export interface HealthCheckTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** The connection a health check watches. */
export interface HealthCheckTarget {
  /**
   * Sends a PING; fulfils when the server answered (an error reply is an answer too: a user
   * without `+ping` still proves the server is there), rejects when the client gave up.
   */
  ping(): Promise<unknown>;
  /** A counter that grows whenever anything else arrives from the server (messages, replies). */
  heard(): number;
  /** The server said nothing for `silentMs` after a PING: treat the connection as lost. */
  silent(silentMs: number): void;
}

/**
 * Checks that the server still answers on a connection: a PING every `intervalMs` (one at a
 * time), and a deadline of `timeoutMs` for its answer. A silent partition sends no FIN and no
 * RST — the socket stays "open" and writes go into the kernel's buffer — so an answer is the only
 * proof the server is there. Anything else heard meanwhile (a subscriber draining a backlog of
 * messages, a publisher's replies) also proves it, so a PING queued behind a busy stream never
 * counts as silence. Returns the function that stops the check; `silent` is called at most once.
 */
export function startHealthCheck(target: HealthCheckTarget, timing: HealthCheckTiming): () => void {
  let pingSentAt: number | undefined;
  /** The `heard()` count at the PING, or when the deadline last found it grown; and since when. */
  let heardBefore = 0;
  let quietSince = 0;
  let deadline: NodeJS.Timeout | undefined;
  let isStopped = false;

  const stop = (): void => {
    isStopped = true;
    clearInterval(interval);
    clearTimeout(deadline);
  };

  const answered = (): void => {
    pingSentAt = undefined;
    clearTimeout(deadline);
  };

  // Decided in the check phase, after the poll phase: when the event loop was blocked past the
  // deadline, an answer already waiting in the socket's buffer is read first and counts.
  const decide = (): void => {
    if (isStopped || pingSentAt === undefined) return;
    const heard = target.heard();
    if (heard !== heardBefore) {
      heardBefore = heard;
      quietSince = performance.now();
      deadline = setTimeout(() => setImmediate(decide), timing.timeoutMs).unref();
      return;
    }
    const silentMs = Math.round(performance.now() - quietSince);
    stop();
    target.silent(silentMs);
  };

  const sendPing = (): void => {
    if (pingSentAt !== undefined) return;
    pingSentAt = performance.now();
    quietSince = pingSentAt;
    heardBefore = target.heard();
    target.ping().then(answered, () => {
      // The client gave up on this connection: its own error path reports that.
    });
    deadline = setTimeout(() => setImmediate(decide), timing.timeoutMs).unref();
  };

  // Unref'd: a transport's open socket keeps the process alive, the check never does by itself.
  const interval = setInterval(sendPing, timing.intervalMs).unref();
  return stop;
}

/** The report of a connection the health check found cut off. */
export function serverUnreachableError(
  what: string,
  role: 'pub' | 'sub',
  silentMs: number,
  timing: HealthCheckTiming,
): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_TRANSPORT',
    `${what}: no answer to PING within ${timing.timeoutMs} ms (nothing heard for ${silentMs} ms): the server is unreachable (a network partition?) or stalled; reconnecting`,
    {
      details: {
        role,
        reason: SERVER_UNREACHABLE,
        silentMs,
        healthCheckTimeoutMs: timing.timeoutMs,
      },
    },
  );
}
