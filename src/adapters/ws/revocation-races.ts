import type { RevocationEvent } from '../../stores/port.js';

/**
 * Tells an authentication in flight whether a revocation of its user, or a gap in the revocation
 * channel, came while it waited: its answer may then predate the revocation, and the socket (not yet
 * registered) would miss it. Signals are numbered; per-user marks are kept only while some
 * authentication is in flight.
 */
export class RevocationRaces {
  #count = 0;
  #gapAt = 0;
  #inFlight = 0;
  readonly #userSignalAt = new Map<string, number>();

  /** Records one signal of the channel. */
  note(signal: RevocationEvent | 'down' | 'up'): void {
    this.#count += 1;
    if (signal === 'down' || signal === 'up') this.#gapAt = this.#count;
    else if (this.#inFlight > 0) this.#userSignalAt.set(signal.userId, this.#count);
  }

  /** Call when an authentication starts. */
  begin(): void {
    this.#inFlight += 1;
  }

  /** Where the count stands: take it just before asking the store. */
  mark(): number {
    return this.#count;
  }

  /** Whether a signal concerning `userId` (or a gap) came after `mark`. */
  racedSince(mark: number, userId: string): boolean {
    return this.#gapAt > mark || (this.#userSignalAt.get(userId) ?? 0) > mark;
  }

  /** Call when an authentication is over, whatever its outcome. */
  end(): void {
    this.#inFlight -= 1;
    if (this.#inFlight === 0) this.#userSignalAt.clear();
  }
}
