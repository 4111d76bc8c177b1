import { describe, expect, it } from 'vitest';
import { ClustrError } from './clustr-error.js';
import {
  assertExitCode,
  assertGroupName,
  assertOwnWorkerId,
  assertUserChannel,
  assertWorkerId,
  CHANNEL_PATTERN,
  isChannelName,
  isControlChannel,
  isGroupName,
  isOwnWorkerId,
  isWorkerId,
  killChannel,
  RESERVED_NAMES,
} from './names.js';

/** Runs `action`, expects a ClustrError and returns it for further checks. */
function caught(action: () => void): ClustrError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ClustrError);
    return error as ClustrError;
  }
  throw new Error('expected a ClustrError, nothing was thrown');
}

const UUID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';

describe('group names', () => {
  it.each(['web', 'cache', 'a', '0', 'Web_2.prod-eu', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(isGroupName(name)).toBe(true);
    expect(() => assertGroupName(name)).not.toThrow();
  });

  it.each(['', '_web', '-web', '.web', 'web worker', 'web:1', 'wéb', 'x'.repeat(65), 'a/b', 'a"b'])(
    'refuses %j with ERR_CLUSTR_INVALID_GROUP',
    (name) => {
      expect(isGroupName(name)).toBe(false);
      const error = caught(() => assertGroupName(name));
      expect(error.code).toBe('ERR_CLUSTR_INVALID_GROUP');
      expect(error.message).toContain(JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name));
      expect(error.message).toContain('1-64 characters');
      expect(error.details).toEqual({ value: name });
    },
  );

  it.each([42, null, undefined, {}, ['web']])('refuses the non-string %j', (value) => {
    expect(isGroupName(value)).toBe(false);
    expect(caught(() => assertGroupName(value)).code).toBe('ERR_CLUSTR_INVALID_GROUP');
  });

  it('refuses a group called "public", naming it and saying it is reserved', () => {
    const error = caught(() => assertGroupName('public'));
    expect(error.code).toBe('ERR_CLUSTR_INVALID_GROUP');
    expect(error.message).toContain('"public"');
    expect(error.message).toContain('reserved');
  });

  it.each([...RESERVED_NAMES])('refuses the reserved name %j', (name) => {
    expect(isGroupName(name)).toBe(false);
    expect(caught(() => assertGroupName(name)).message).toMatch(/is reserved \(reserved: .*public/);
  });

  it('reserves the channels that already mean something and the control-channel words', () => {
    expect([...RESERVED_NAMES].sort()).toEqual([
      'clustr',
      'confirmation',
      'external',
      'kill',
      'master',
      'public',
    ]);
  });
});

describe('workerIds', () => {
  it.each([UUID, 'w1', 'A', 'x'.repeat(128)])('accepts %j', (id) => {
    expect(isWorkerId(id)).toBe(true);
    expect(() => assertWorkerId(id)).not.toThrow();
  });

  it.each(['', '-1', 'x'.repeat(129), 'a:b', 'a b', 'public', 'master', 3, null])('refuses %j', (id) => {
    expect(isWorkerId(id)).toBe(false);
    const error = caught(() => assertWorkerId(id));
    expect(error.code).toBe('ERR_CLUSTR_INVALID_WORKER_ID');
    expect(error.message).toContain('is not valid');
    expect(error.details).toEqual({ value: id });
  });
});

describe('names that cannot collide', () => {
  const uuid = '3f2c8a9e-1b4d-4c7a-9f00-0123456789ab';

  it('refuses a group shaped as a workerId, saying why', () => {
    expect(isGroupName(uuid)).toBe(false);
    expect(isGroupName(uuid.toUpperCase())).toBe(false);
    expect(() => assertGroupName(uuid)).toThrow(/has the shape of a workerId \(a UUID\)/);
    // One character off the shape is an ordinary group name.
    expect(isGroupName(`${uuid}0`)).toBe(true);
    expect(isGroupName(uuid.replace(/-/g, '_'))).toBe(true);
  });

  it('lets a process claim only a UUID as its workerId', () => {
    expect(isOwnWorkerId(uuid)).toBe(true);
    expect(isOwnWorkerId(globalThis.crypto.randomUUID())).toBe(true);
    for (const value of ['web', 'w1', `${uuid}0`, uuid.slice(1), 7, undefined]) {
      expect(isOwnWorkerId(value)).toBe(false);
    }
    const error = (() => {
      try {
        assertOwnWorkerId('web-1');
      } catch (thrown) {
        return thrown as ClustrError;
      }
    })();
    expect(error?.code).toBe('ERR_CLUSTR_INVALID_WORKER_ID');
    expect(error?.message).toMatch(/"web-1" is not one a process may claim \(a UUID/);
  });
});

describe('channels', () => {
  it('accepts user channels: public, master, confirmation, group names and workerIds', () => {
    for (const channel of ['public', 'master', 'confirmation', 'web', UUID]) {
      expect(() => assertUserChannel(channel)).not.toThrow();
      expect(isChannelName(channel)).toBe(true);
      expect(isControlChannel(channel)).toBe(false);
    }
  });

  it('makes kill channels that are valid control channels', () => {
    const channel = killChannel(UUID);
    expect(channel).toBe(`kill:${UUID}`);
    expect(isChannelName(channel)).toBe(true);
    expect(isControlChannel(channel)).toBe(true);
  });

  it('refuses control channels as user channels', () => {
    const error = caught(() => assertUserChannel(killChannel('w1')));
    expect(error.code).toBe('ERR_CLUSTR_INVALID_CHANNEL');
    expect(error.message).toContain('"kill:w1"');
    expect(error.message).toContain('allowed:');
  });

  it.each(['', ' public', 'a b', 'a"b', 'a\\b', 'a*', 'x'.repeat(129), 7, undefined])(
    'refuses %j',
    (value) => {
      expect(caught(() => assertUserChannel(value)).code).toBe('ERR_CLUSTR_INVALID_CHANNEL');
    },
  );

  it('limits wire channel names to 200 characters without characters that need escaping', () => {
    expect(isChannelName('x'.repeat(200))).toBe(true);
    expect(isChannelName('x'.repeat(201))).toBe(false);
    for (const character of ['"', '\\', '\n', '*', '?', '[', ' ', '/', 'é']) {
      expect(isChannelName(`a${character}`)).toBe(false);
    }
    expect(isChannelName(null)).toBe(false);
    expect(CHANNEL_PATTERN.test(':a')).toBe(false);
  });
});

describe('exit codes', () => {
  it.each([0, 1, 3, 255])('accepts %j', (code) => {
    expect(() => assertExitCode(code)).not.toThrow();
  });

  it.each([-1, 256, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, undefined])(
    'refuses %j',
    (code) => {
      const error = caught(() => assertExitCode(code));
      expect(error.code).toBe('ERR_CLUSTR_INVALID_EXIT_CODE');
      expect(error.message).toContain('an integer from 0 to 255');
      expect(error.details).toEqual({ value: code });
    },
  );
});
