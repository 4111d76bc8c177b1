import { isClustrError } from '@clustr/core';

/** Exit codes of the `clustr` command. */
export const EXIT_OK = 0;
/** The target is unreachable, or the cluster refused what was asked. */
export const EXIT_FAILED = 1;
/** The command line is wrong. */
export const EXIT_USAGE = 2;

/** A failure the command reports in one line, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong command line (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(`${message} (see clustr --help)`, EXIT_USAGE);
}

/**
 * The one line and the exit code for anything thrown: bad input the cluster refused
 * (`ERR_CLUSTR_INVALID_*`) is a usage error, everything else a failure. Never a stack trace.
 */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
  if (error instanceof CliError) return { line: oneLine(error.message), exitCode: error.exitCode };
  if (isClustrError(error)) {
    const exitCode = error.code.startsWith('ERR_CLUSTR_INVALID_') ? EXIT_USAGE : EXIT_FAILED;
    return { line: oneLine(error.message), exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: oneLine(message), exitCode: EXIT_FAILED };
}
