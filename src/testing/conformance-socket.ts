/**
 * The client side of the conformance suite's WebSocket checks: a real `ws` socket whose first
 * message and close are recorded. `ws` is loaded when a check runs, so `authjwt/testing` needs it
 * only where an adapter's sockets are tested (it is the library's WebSocket peer dependency).
 */

export interface ConformanceSocket {
  /** The first message, parsed as JSON; rejects when the socket closes first or after `timeoutMs`. */
  readonly firstMessage: Promise<unknown>;
  /** The close code and when it was seen (`performance.now()`); never rejects. */
  readonly closed: Promise<{ code: number; at: number }>;
}

/** Opens `url` with `headers`; resolves once the upgrade succeeded. */
export async function openConformanceSocket(
  url: string,
  headers: Record<string, string>,
  timeoutMs = 3000,
): Promise<ConformanceSocket> {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(url, { headers });
  const closed = new Promise<{ code: number; at: number }>((resolve) => {
    ws.on('close', (code) => resolve({ code, at: performance.now() }));
  });
  const firstMessage = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
    ws.once('message', (data) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)));
    });
    void closed.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`closed with ${code} before a message`));
    });
  });
  // A refused first message must not surface as an unhandled rejection when a check only waits for the close.
  firstMessage.catch(() => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => {
      ws.terminate();
      reject(new Error(`upgrade refused with HTTP ${response.statusCode}`));
    });
    ws.once('error', reject);
  });
  return { firstMessage, closed };
}
