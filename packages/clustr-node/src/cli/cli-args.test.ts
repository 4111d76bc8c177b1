import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-args.js';
import { CliError, describeFailure } from './cli-error.js';

const usage = (argv: string[]) => {
  try {
    parseCli(argv);
  } catch (error) {
    return error instanceof CliError ? [error.exitCode, error.message] : error;
  }
  return 'parsed';
};

describe('the command line', () => {
  it('reads each command with its target', () => {
    expect(parseCli(['ps', '--json', '--pid', '42'])).toEqual({
      command: 'ps',
      target: { pid: 42 },
      json: true,
    });
    expect(parseCli(['top', '-n', '3', '--name', 'shop'])).toEqual({
      command: 'top',
      target: { name: 'shop' },
      count: 3,
    });
    expect(parseCli(['kill', 'web'])).toMatchObject({ command: 'kill', who: 'web', code: 0 });
    expect(parseCli(['publish', 'web', '{"a":1}', '--redis', 'redis://h', '--namespace', 'n'])).toEqual({
      command: 'publish',
      target: { redis: 'redis://h', namespace: 'n' },
      channel: 'web',
      data: { a: 1 },
    });
    expect(parseCli(['--help'])).toEqual({ command: 'help' });
    expect(parseCli(['-v'])).toEqual({ command: 'version' });
  });

  it('refuses what it cannot run, with exit code 2', () => {
    for (const argv of [
      [],
      ['ps', '--pid', 'x'],
      ['ps', '--pid', '1', '--name', 'a'],
      ['ps', '--name', 'a', '--redis', 'redis://h'],
      ['ps', '--namespace', 'n'],
      ['ps', '--bogus'],
      ['kill', 'web', '256'],
      ['kill'],
      ['publish', 'web'],
      ['publish', 'web', 'not json'],
      ['reboot'],
    ]) {
      expect(usage(argv)).toEqual([2, expect.stringMatching(/\(see clustr --help\)$/)]);
    }
  });

  it('reports any failure as one line: bad input the cluster refused is exit 2, the rest 1', async () => {
    const { ClustrError } = await import('@clustr/core');
    expect(describeFailure(new ClustrError('ERR_CLUSTR_INVALID_CHANNEL', 'bad\nchannel'))).toEqual({
      line: 'bad channel',
      exitCode: 2,
    });
    expect(describeFailure(new ClustrError('ERR_CLUSTR_TRANSPORT', 'down'))).toEqual({
      line: 'down',
      exitCode: 1,
    });
    expect(describeFailure(new Error('boom'))).toEqual({ line: 'boom', exitCode: 1 });
  });
});
