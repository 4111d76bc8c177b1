import { basename, extname } from 'node:path';
import { checkBoolean, checkString, isOptionsObject } from '@clustr/protocol/internal';

/** A master's name: what `clustr ps` shows and `clustr ps --name` matches. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Options of a master's control socket (part of `MasterOptions`). */
export interface MasterControlOptions {
  /**
   * The cluster's name, shown by `clustr ps` and picked by `clustr ps --name <name>`: a letter or
   * digit, then up to 63 letters, digits, `_`, `.` or `-`.
   * @default the main script's file name without its extension (`app` for `node app.js`), else `node`
   */
  name?: string;
  /**
   * Listen on a control socket, so that the `clustr` command of this user on this machine can
   * list this cluster, show its members and kill or publish as this master. The socket is
   * `$XDG_RUNTIME_DIR/clustr/<pid>-<n>.sock` (else `<tmp>/clustr-<uid>/…`), mode 0600 in a
   * 0700 directory; it never keeps the process alive and is removed on `close()`.
   * @default true (false on Windows)
   */
  controlSocket?: boolean;
}

/** The control options with their defaults. */
export interface ResolvedMasterControl {
  name: string;
  isEnabled: boolean;
}

/** The main script's name, made a valid master name. */
export function defaultMasterName(script: string | undefined = process.argv[1]): string {
  const stem = script === undefined ? '' : basename(script, extname(script));
  const name = stem
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return name === '' ? 'node' : name;
}

/**
 * Checks `name` and `controlSocket` (before anything starts).
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function resolveMasterControl(options: unknown): ResolvedMasterControl {
  // Options that are not an object are refused by the process itself, with its own message.
  const given = isOptionsObject(options) ? options : {};
  const name = checkString(
    'option "name"',
    given.name,
    undefined,
    NAME_PATTERN,
    'a letter or digit, then up to 63 letters, digits, "_", "." or "-"',
  );
  const isEnabled = checkBoolean('option "controlSocket"', given.controlSocket, process.platform !== 'win32');
  return { name: name ?? defaultMasterName(), isEnabled };
}
