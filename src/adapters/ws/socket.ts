/**
 * The part of a WebSocket the guard uses: what `ws` (and so @fastify/websocket) sockets offer. The
 * guard never sends; it only listens and closes.
 */
export interface WebSocketLike {
  /** When present, 2 (closing) or 3 (closed) at `accept()` means the peer is already gone. */
  readonly readyState?: number;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Close codes. 4401 mirrors HTTP 401 in the private range (RFC 6455 section 7.4.2) and is the one a
 * client must treat as "authenticate again"; 1013 ("try again later", IANA registry) is a store that
 * could not answer, which must not make a client throw its credentials away.
 */
export const socketCloseCodes = Object.freeze({
  unauthorized: 4401,
  tryAgainLater: 1013,
  policyViolation: 1008,
  internalError: 1011,
  goingAway: 1001,
});

/** Closes without ever throwing: a socket already closing or gone is fine. */
export function closeQuietly(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // the socket is already closing, or was never fully open: either way it is done
  }
}
