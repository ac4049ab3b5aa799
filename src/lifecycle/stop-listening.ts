import type { Server as HttpServer } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** How long a just-accepted connection has to deliver its request before idle ones are closed. */
export const ACCEPT_SETTLE_MS = 200;

/**
 * Closes `server` without cutting a request: first it stops accepting (net-level close; in a
 * worker pool that also tells the primary to hand this worker no more connections), then it
 * gives connections accepted a moment ago {@link ACCEPT_SETTLE_MS} to deliver their request
 * (Node's `http.Server.close()` would otherwise close them at once as "idle"), then closes the
 * idle keep-alive connections. Resolves when every connection has ended (responses during a
 * drain carry `Connection: close`).
 */
export async function stopListening(
  server: HttpServer,
  settleMs = ACCEPT_SETTLE_MS,
): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => {
    NetServer.prototype.close.call(server, () => resolve());
  });
  await delay(settleMs);
  server.closeIdleConnections();
  await closed;
}
