/**
 * When a worker that exited is started again: `on-failure` after a non-zero exit code or a
 * signal, `always` after any exit, `never`.
 */
export type RestartPolicy = 'on-failure' | 'always' | 'never';

/** What a child's stdout and stderr are connected to. */
export type StdioMode = 'inherit' | 'pipe' | 'ignore';

/**
 * When a child counts as ready: at the `'spawn'` event of its process, or when it wrote the
 * ready frame `{"clustr":1,"type":"ready"}` (see `signalReady()`).
 */
export type ReadySignal = 'spawn' | 'frame';

/** How a worker is restarted after it exited. */
export interface RestartOptions {
  /**
   * When to restart.
   * @default 'on-failure'
   */
  policy?: RestartPolicy;
  /**
   * Delay before the first restart after a failure; each consecutive restart doubles it.
   * @default 100
   */
  initialDelayMs?: number;
  /**
   * The cap of the backoff.
   * @default 5000
   */
  maxDelayMs?: number;
  /**
   * A run that lasted at least this long resets the backoff to `initialDelayMs`.
   * @default 10000
   */
  resetAfterMs?: number;
  /**
   * Most restarts within `windowMs`; the next exit that would restart makes the handle give up
   * (`'gave-up'`).
   * @default 10
   */
  maxRestarts?: number;
  /**
   * The sliding window in which `maxRestarts` is counted.
   * @default 60000
   */
  windowMs?: number;
}

/** One worker to start. Only `file` is required. */
export interface SpawnSpec {
  /**
   * The program the worker runs. A relative path resolves against the spawning process's main
   * script directory (`SpawnContext.baseDir`); absolute paths and `file:` URLs are taken as they are.
   */
  file: string | URL;
  /** Pin the worker to this core with `taskset -c <cpu>` (Linux only). */
  cpu?: number;
  /**
   * Run `command file [args]` (e.g. `bash`) instead of the parent's Node with its execArgv. The
   * command runs in its own process group under a `/bin/sh` shim that `exec`s it (the pid, fds,
   * exit code and signal stay its own) and ends the whole group when the parent dies, however,
   * or when the command exits.
   * @default the parent's `process.execPath`
   */
  command?: string;
  /**
   * Arguments after `file`.
   * @default []
   */
  args?: string[];
  /**
   * Extra environment variables, on top of the parent's environment. `CLUSTR_*` and
   * `NODE_CHANNEL_*` are set by the spawner and win. `CLUSTR_SECRET` is refused
   * (`ERR_CLUSTR_INVALID_OPTION`), and never inherited from the parent either.
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * Working directory of the child; a relative one resolves against `baseDir`, as `file` does.
   * @default the parent's working directory
   */
  cwd?: string;
  /**
   * Node options of a Node child (not allowed with `command`).
   * @default the parent's `process.execArgv`, without `-e`/`-p`/`--test`/`--watch`
   */
  execArgv?: string[];
  /**
   * A policy, or the full restart options.
   * @default 'on-failure'
   */
  restart?: RestartPolicy | RestartOptions;
  /**
   * Where the child's stdout and stderr go.
   * @default 'inherit'
   */
  stdio?: StdioMode;
  /**
   * Grace between `stop()`'s signal and SIGKILL.
   * @default 5000
   */
  stopTimeoutMs?: number;
  /**
   * When the child counts as ready.
   * @default 'spawn' with `command`, 'frame' without
   */
  readySignal?: ReadySignal;
  /**
   * Longest line (bytes) the child may write to its IPC fd; longer lines are bad input.
   * @default 16 MiB (`DEFAULT_MAX_LINE_BYTES`)
   */
  maxLineBytes?: number;
}

/** Restart options with every default filled in. */
export type NormalizedRestartOptions = Readonly<Required<RestartOptions>>;

/** A validated spawn spec, every default filled in and every path absolute. */
export interface NormalizedSpawnSpec {
  /** Absolute path of the program. */
  readonly file: string;
  /** The core to pin the worker to, or undefined for no pinning. */
  readonly cpu: number | undefined;
  /** The program that runs `file`, or undefined for the parent's Node. */
  readonly command: string | undefined;
  /** Arguments after `file`. */
  readonly args: readonly string[];
  /** Extra environment variables for the child. */
  readonly env: Readonly<Record<string, string>>;
  /** Absolute working directory, or undefined for the parent's. */
  readonly cwd: string | undefined;
  /** Node options (empty with `command`), not yet including the spawner's preload. */
  readonly execArgv: readonly string[];
  /** Restart options with every default filled in. */
  readonly restart: NormalizedRestartOptions;
  /** Where stdout and stderr go. */
  readonly stdio: StdioMode;
  /** Grace between `stop()`'s signal and SIGKILL. */
  readonly stopTimeoutMs: number;
  /** When the child counts as ready. */
  readonly readySignal: ReadySignal;
  /** Longest line the child may write to its IPC fd. */
  readonly maxLineBytes: number;
}
