import { describe, expect, it, vi } from 'vitest';
import { ClustrError, isClustrError, toClustrError } from './clustr-error.js';

describe('ClustrError', () => {
  it('is an instance of every copy of the class loaded in the process, and only of those', async () => {
    vi.resetModules();
    const copy = await import('./clustr-error.js');
    expect(copy.ClustrError).not.toBe(ClustrError);
    expect(new copy.ClustrError('ERR_CLUSTR_CLOSED', 'closed')).toBeInstanceOf(ClustrError);
    expect(new ClustrError('ERR_CLUSTR_CLOSED', 'closed')).toBeInstanceOf(copy.ClustrError);
    const impostor = Object.assign(new Error('x'), { name: 'ClustrError', code: 'ERR_CLUSTR_CLOSED' });
    expect(impostor).not.toBeInstanceOf(ClustrError);
    expect(null).not.toBeInstanceOf(ClustrError);
  });

  it('keeps the prototype check for a subclass', () => {
    class Narrower extends ClustrError {}
    expect(new Narrower('ERR_CLUSTR_CLOSED', 'closed')).toBeInstanceOf(ClustrError);
    expect(new ClustrError('ERR_CLUSTR_CLOSED', 'closed')).not.toBeInstanceOf(Narrower);
  });

  it('carries its code, message, name, details and cause', () => {
    const cause = new Error('socket hang up');
    const error = new ClustrError('ERR_CLUSTR_TRANSPORT', 'redis is gone', { cause, details: { url: 'x' } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ClustrError');
    expect(error.code).toBe('ERR_CLUSTR_TRANSPORT');
    expect(error.message).toBe('redis is gone');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ url: 'x' });
    expect(String(error)).toBe('ClustrError: redis is gone');
    expect(error.stack).toContain('redis is gone');
  });

  it('has no cause and no details unless given', () => {
    const error = new ClustrError('ERR_CLUSTR_TIMEOUT', 'too slow');
    expect('cause' in error).toBe(false);
    expect(error.details).toBeUndefined();
  });

  it('keeps a falsy cause', () => {
    expect(new ClustrError('ERR_CLUSTR_TIMEOUT', 'x', { cause: 0 }).cause).toBe(0);
  });
});

describe('isClustrError', () => {
  it('recognizes its own instances', () => {
    expect(isClustrError(new ClustrError('ERR_CLUSTR_CLOSED', 'closed'))).toBe(true);
  });

  it('recognizes a ClustrError from another copy of the package', () => {
    class OtherCopyClustrError extends Error {
      override readonly name = 'ClustrError';
      readonly code = 'ERR_CLUSTR_CLOSED';
    }
    expect(isClustrError(new OtherCopyClustrError('closed'))).toBe(true);
  });

  it('refuses look-alikes and other values', () => {
    const renamed = Object.assign(new Error('x'), { name: 'ClustrError', code: 'ERR_OTHER' });
    const plain = { name: 'ClustrError', code: 'ERR_CLUSTR_CLOSED', message: 'x' };
    for (const value of [
      renamed,
      plain,
      new Error('x'),
      new TypeError('x'),
      'ERR_CLUSTR_CLOSED',
      null,
      undefined,
    ]) {
      expect(isClustrError(value)).toBe(false);
    }
  });
});

describe('toClustrError', () => {
  it('passes a ClustrError through unchanged, whatever code is asked for', () => {
    const error = new ClustrError('ERR_CLUSTR_BAD_FRAME', 'bad');
    expect(toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'redis')).toBe(error);
  });

  it('wraps an Error once, with the context, its message and the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const wrapped = toClustrError(cause, 'ERR_CLUSTR_TRANSPORT', 'cannot connect to redis');
    expect(wrapped.code).toBe('ERR_CLUSTR_TRANSPORT');
    expect(wrapped.message).toBe('cannot connect to redis: ECONNREFUSED');
    expect(wrapped.cause).toBe(cause);
    expect(toClustrError(wrapped, 'ERR_CLUSTR_TIMEOUT', 'again')).toBe(wrapped);
  });

  it('wraps thrown non-errors without throwing itself', () => {
    expect(toClustrError('boom', 'ERR_CLUSTR_TRANSPORT', 'x').message).toBe('x: boom');
    expect(toClustrError(42, 'ERR_CLUSTR_TRANSPORT', 'x').message).toBe('x: 42');
    expect(toClustrError(undefined, 'ERR_CLUSTR_TRANSPORT', 'x').message).toBe('x: undefined');
    expect(toClustrError({ reason: 'gone' }, 'ERR_CLUSTR_TRANSPORT', 'x').message).toBe(
      'x: {"reason":"gone"}',
    );
    const bare = Object.create(null) as object;
    const wrapped = toClustrError(bare, 'ERR_CLUSTR_TRANSPORT', 'x');
    expect(wrapped.code).toBe('ERR_CLUSTR_TRANSPORT');
    expect(wrapped.cause).toBe(bare);
  });
});
