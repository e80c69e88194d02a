import { describe, expect, it } from 'vitest';
import { createHashingLimit, ServerBusyError } from '../../app/users/hashing-limit.js';

/** A computation the test finishes by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('the hashing limit', () => {
  it('runs at most `concurrency` at once, queues `queue` more, and refuses the rest with ServerBusyError', async () => {
    const limit = createHashingLimit({ concurrency: 2, queue: 1 });
    let running = 0;
    let most = 0;
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g, n) =>
      limit.run(async () => {
        running += 1;
        most = Math.max(most, running);
        await g.opened;
        running -= 1;
        return n;
      }),
    );
    await expect(limit.run(async () => 'too many')).rejects.toBeInstanceOf(ServerBusyError);
    await Promise.resolve();
    expect(running).toBe(2);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(most).toBe(2);
    // Everything finished: the full capacity is free again.
    expect(await limit.run(async () => 'again')).toBe('again');
  });

  it('frees the slot of a computation that failed', async () => {
    const limit = createHashingLimit({ concurrency: 1, queue: 0 });
    await expect(limit.run(async () => Promise.reject(new Error('scrypt failed')))).rejects.toThrow(
      'scrypt failed',
    );
    expect(await limit.run(async () => 'next')).toBe('next');
  });

  it('with no queue, refuses at once while every slot is taken', async () => {
    const limit = createHashingLimit({ concurrency: 1, queue: 0 });
    const g = gate();
    const first = limit.run(() => g.opened);
    await expect(limit.run(async () => 'second')).rejects.toMatchObject({ code: 'server_busy' });
    g.open();
    await first;
  });
});
