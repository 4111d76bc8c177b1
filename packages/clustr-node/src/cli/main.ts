#!/usr/bin/env node
// The `clustr` command: see and act on a clustr-node cluster (`clustr --help`).
import { debuglog } from 'node:util';
import { HELP, parseCli } from './cli-args.js';
import { describeFailure, EXIT_OK } from './cli-error.js';
import { runCommand } from './commands.js';
import { packageVersion } from './package-version.js';

const debug = debuglog('clustr');

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.command === 'help') {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (args.command === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  return runCommand(args, process.stdout);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One line, never a stack trace (NODE_DEBUG=clustr shows it).
    debug('%O', error);
    const { line, exitCode } = describeFailure(error);
    process.stderr.write(`clustr: ${line}\n`);
    process.exitCode = exitCode;
  },
);
