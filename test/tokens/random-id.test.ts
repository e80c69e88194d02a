import { describe, expect, it } from 'vitest';
import { randomId } from '../../src/tokens/random-id.js';

describe('randomId', () => {
  it('22 base64url characters, all different, none beginning with "-" (an id pasted into a command line must not read as an option)', () => {
    // Before, one id in 64 began with "-": among 20,000 all but certainly some did.
    const ids = Array.from({ length: 20_000 }, () => randomId());
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // The other 63 first characters all still come up.
    expect(new Set(ids.map((id) => id[0])).size).toBe(63);
  });
});
