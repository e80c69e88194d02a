import { randomId } from '../../tokens/random-id.js';
import type { Commands } from './commands.js';
import { replyText } from './connection.js';
import { type LuaScript, luaScript } from './lua-script.js';

/**
 * How often an instance proves its channel, and how long without proof makes it `down`: two missed
 * heartbeats, inside the 3 s the design allows a silent channel.
 */
export const heartbeatIntervalMs = 1000;
export const proofTimeoutMs = 2500;
/** Without proof for this long, the subscriber connection is given up and opened afresh. */
export const reopenAfterMs = 10_000;

/**
 * KEYS: the store's generation marker. ARGV: channel, heartbeat message, a marker for a store that has
 * none. Returns the marker. One round trip proves both that the data is still there (the marker is
 * the one this instance saw before) and, when its message comes back on the subscriber, that
 * revocations still arrive.
 */
const heartbeatScript: LuaScript = luaScript(
  'heartbeat',
  1,
  `
local marker = redis.call('GET', KEYS[1])
if not marker then
  redis.call('SET', KEYS[1], ARGV[3])
  marker = ARGV[3]
end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return marker
`,
  { helpers: 'none' },
);

/** What one heartbeat found. */
export type HeartbeatResult =
  /** The marker is the one seen before (or the first one seen). */
  | 'same'
  /** The marker changed or was gone: the store lost its data (a flush, a restart or failover without it). */
  | 'lost'
  /** The store did not answer. */
  | 'failed';

/**
 * An instance's proof that its revocation channel works and that the store still holds its data:
 * every `heartbeatIntervalMs` it publishes a message of its own on the channel (to be heard back on
 * its subscriber connection) and reads the store's generation marker, a random value written once
 * (`SET` when absent, never expiring). A `FLUSHALL`, a restart without persistence or a failover to an
 * empty replica drops the marker; the next heartbeat writes a new one, and every instance sees it
 * change. A connection that has not failed is not proof: half-open TCP or a frozen proxy can keep one
 * "up" for minutes while no message arrives.
 */
export class ChannelProof {
  readonly #commands: Commands;
  readonly #markerKey: string;
  readonly #channel: string;
  readonly #message: string;
  #marker: string | undefined;
  #inFlight = false;

  constructor(commands: Commands, prefix: string, channel: string) {
    this.#commands = commands;
    this.#markerKey = `${prefix}generation`;
    this.#channel = channel;
    // The instance's own id: its heartbeat is the one message it waits to hear back.
    this.#message = JSON.stringify({ k: 'h', i: randomId() });
  }

  /** Whether `text`, heard on the channel, is this instance's own heartbeat. */
  isOwnHeartbeat(text: string): boolean {
    return text === this.#message;
  }

  /** Sends one heartbeat; `undefined` while the previous one is still out (a stalled store). */
  async beat(): Promise<HeartbeatResult | undefined> {
    if (this.#inFlight) return undefined;
    this.#inFlight = true;
    try {
      const reply = replyText(
        await this.#commands.run(
          heartbeatScript,
          [this.#markerKey],
          [this.#channel, this.#message, randomId()],
        ),
      );
      if (reply === null) return 'failed';
      const seen = this.#marker;
      this.#marker = reply;
      return seen === undefined || seen === reply ? 'same' : 'lost';
    } catch {
      return 'failed';
    } finally {
      this.#inFlight = false;
    }
  }
}

/** Heartbeats published by any instance: `{"k":"h",...}`, never a revocation. */
export function isHeartbeat(text: string): boolean {
  return text.startsWith('{"k":"h"');
}
