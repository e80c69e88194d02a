/**
 * Issue 11, point 8: session options that would switch a safety off are refused at construction,
 * with an AuthConfigError naming the option and stating the bound.
 */
import { AuthConfigError, type SessionOptions } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { makeAuth } from './fixtures.js';

function refusal(sessions: SessionOptions): AuthConfigError {
  try {
    makeAuth({ sessions });
  } catch (error) {
    if (error instanceof AuthConfigError) return error;
    throw error;
  }
  throw new Error('expected an AuthConfigError, but construction succeeded');
}

describe('sessions.refreshReuseGrace: at most 60 seconds', () => {
  it.each([61, '2m', '14d'])(
    'refuses %s (a long grace answers a thief instead of detecting reuse)',
    (grace) => {
      const error = refusal({ refreshReuseGrace: grace });
      expect(error.option).toBe('sessions.refreshReuseGrace');
      expect(error.message).toContain('must be at most 60 seconds');
    },
  );

  it.each([0, 5, 60, '1m'])('accepts %s', (grace) => {
    expect(() => makeAuth({ sessions: { refreshReuseGrace: grace } })).not.toThrow();
  });
});

describe('sessions.cache.maxAge: at most 300 seconds', () => {
  it.each([301, '6m', '365d'])(
    'refuses %s (a lost revocation message would be honoured that long)',
    (maxAge) => {
      const error = refusal({ cache: { maxAge } });
      expect(error.option).toBe('sessions.cache.maxAge');
      expect(error.message).toContain('must be at most 300 seconds');
    },
  );

  it.each([1, 60, 300, '5m'])('accepts %s', (maxAge) => {
    expect(() => makeAuth({ sessions: { cache: { maxAge } } })).not.toThrow();
  });
});
