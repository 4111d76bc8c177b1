import type { ReadStream, WriteStream } from 'node:tty';
import { EXIT_OK } from './cli-error.js';
import type { ClusterSource } from './cluster-source.js';
import { memberRows, renderTable, type Snapshot, type SortKey } from './member-table.js';

/** How often `top` asks for the members. */
const REFRESH_MS = 1_000;
const SORT_KEYS: Readonly<Record<string, SortKey>> = { c: 'cpu', m: 'memory', r: 'rate' };
const SORT_NAMES: Readonly<Record<SortKey, string>> = { cpu: 'CPU', memory: 'memory', rate: 'message rate' };
const CTRL_C = '\u0003';

/** The terminal's alternate screen, without a cursor, and back. */
const ENTER_SCREEN = '\u001b[?1049h\u001b[?25l';
const LEAVE_SCREEN = '\u001b[?25h\u001b[?1049l';
const HOME = '\u001b[H';
const CLEAR_LINE = '\u001b[K';
const CLEAR_BELOW = '\u001b[J';
const DIM = '\u001b[2m';
const UNDIM = '\u001b[22m';

/** Where `top` draws and reads its keys (the process's own streams unless told). */
export interface TopOptions {
  /** Stop after this many refreshes. @default no limit: until `q` */
  count?: number | undefined;
  out?: NodeJS.WritableStream & Partial<Pick<WriteStream, 'isTTY' | 'columns' | 'rows'>>;
  input?: NodeJS.ReadableStream & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode' | 'unref'>>;
}

interface Line {
  text: string;
  isDim: boolean;
}

/** The lines of one refresh: a headline, the keys, the table (members that left dimmed). */
export function topLines(title: string, snapshot: Snapshot, sort: SortKey, now = new Date()): Line[] {
  const rows = memberRows(snapshot, sort, now.getTime());
  const table = renderTable(rows);
  const count = snapshot.members.length;
  const clock = now.toTimeString().slice(0, 8);
  return [
    {
      text: `clustr top · ${title} · ${count} member${count === 1 ? '' : 's'} · by ${SORT_NAMES[sort]} · ${clock}`,
      isDim: false,
    },
    { text: 'keys: c CPU · m memory · r message rate · q quit', isDim: false },
    { text: '', isDim: false },
    { text: table[0]!, isDim: false },
    ...rows.map((row, i) => ({ text: table[i + 1]!, isDim: row.hasLeft })),
  ];
}

/** A full screen: each line cut to the width, as many as fit, the rest cleared. */
function paint(lines: readonly Line[], columns: number, height: number): string {
  let shown = lines;
  if (lines.length > height) {
    shown = [...lines.slice(0, height - 1), { text: `… ${lines.length - height + 1} more`, isDim: false }];
  }
  const body = shown.map(({ text, isDim }) => {
    const cut = text.length > columns ? text.slice(0, columns) : text;
    return `${isDim ? DIM + cut + UNDIM : cut}${CLEAR_LINE}`;
  });
  return `${HOME}${body.join('\n')}\n${CLEAR_BELOW}`;
}

/**
 * Shows the cluster every second until `q` (or Ctrl-C): in place on a terminal, as repeated
 * plain tables otherwise. `c`, `m` and `r` sort by CPU, memory and message rate. A member that
 * left stays, dimmed, for ten seconds with its reason. Resolves with the exit code; rejects when
 * the cluster cannot be reached any more.
 */
export function runTop(source: ClusterSource, options: TopOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const input = options.input ?? process.stdin;
  const isScreen = out.isTTY === true;
  // Keys come from a terminal we draw on, or from a pipe; a terminal whose output goes to a
  // pager (`clustr top | less`) stays the pager's.
  const readsKeys = input.isTTY !== true || isScreen;
  let sort: SortKey = 'cpu';
  let latest: Snapshot | undefined;
  let refreshes = 0;
  let timer: NodeJS.Timeout | undefined;
  let isOver = false;
  return new Promise<number>((resolve, reject) => {
    const draw = () => {
      if (latest === undefined) return;
      const lines = topLines(source.title, latest, sort);
      if (isScreen) out.write(paint(lines, out.columns ?? 80, out.rows ?? 24));
      else out.write(`${lines.map((line) => line.text).join('\n')}\n\n`);
    };
    const onKey = (chunk: string | Buffer) => {
      for (const key of String(chunk)) {
        if (key === 'q' || key === CTRL_C) finish(() => resolve(EXIT_OK));
        const chosen = SORT_KEYS[key];
        if (chosen !== undefined) {
          sort = chosen;
          draw();
        }
      }
    };
    const onSignal = () => finish(() => resolve(EXIT_OK));
    const finish = (settle: () => void) => {
      if (isOver) return;
      isOver = true;
      clearTimeout(timer);
      if (readsKeys) {
        input.off('data', onKey);
        if (input.isTTY === true) input.setRawMode?.(false);
        input.pause();
        // A paused terminal may still hold the loop; the command is done with it.
        input.unref?.();
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (isScreen) out.write(LEAVE_SCREEN);
      void source.close().finally(settle);
    };
    const tick = async () => {
      try {
        latest = await source.snapshot();
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      if (isOver) return;
      draw();
      refreshes++;
      if (options.count !== undefined && refreshes >= options.count) finish(() => resolve(EXIT_OK));
      else timer = setTimeout(tick, REFRESH_MS);
    };
    if (isScreen) out.write(ENTER_SCREEN);
    if (readsKeys) {
      if (input.isTTY === true) input.setRawMode?.(true);
      input.on('data', onKey);
      input.resume();
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void tick();
  });
}
