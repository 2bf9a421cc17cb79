import { Server as NetServer, type Socket } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** How long a keep-alive connection must have been idle before the drain closes it. */
const IDLE_GRACE_MS = 1_000;
const SWEEP_EVERY_MS = 100;

interface ConnectionState {
  /** Requests received on it and not yet answered. */
  busy: number;
  lastActive: number;
}

/**
 * Drains one HTTP listener without cutting a request: it stops accepting
 * connections, answers every request already received (and any that still
 * arrives on an open keep-alive connection) with `Connection: close`, so
 * each client's connection ends after its next answer, and closes the
 * connections that stay idle.
 *
 * Closing an idle keep-alive connection races with a client that is just
 * reusing it: the client's request meets a reset instead of an answer.
 * Node's `server.close()` (and `closeIdleConnections()`) close every idle
 * connection at once, including those a client used a few milliseconds ago
 * and is about to use again. So the listening socket is closed on its own
 * here, and a connection only once it has carried nothing for
 * IDLE_GRACE_MS: a client still using it gets `Connection: close` instead.
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private readonly connections = new Map<Socket, ConnectionState>();
  private draining = false;

  constructor(
    private readonly server: Server,
    private readonly idleGraceMs = IDLE_GRACE_MS,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { busy: 0, lastActive: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
    // Prepended: it must see the response before the framework writes its head.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
      this.track(req, res),
    );
  }

  /** Requests received and not yet answered. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves once every connection is closed, or at `deadline` (epoch ms) with some still open. */
  async drain(deadline: number): Promise<void> {
    this.draining = true;
    for (const res of this.inFlight) closeAfter(res);
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      NetServer.prototype.close.call(this.server, () => resolve());
    });
    this.closeLongIdle();
    const sweep = setInterval(() => this.closeLongIdle(), SWEEP_EVERY_MS);
    await within(deadline, closed).finally(() => clearInterval(sweep));
    if (this.server.listening) return;
    // Http's own close: clears its connection-checking timer (ERR_SERVER_NOT_RUNNING is expected).
    this.server.close(() => undefined);
  }

  private track(req: IncomingMessage, res: ServerResponse): void {
    if (this.draining) closeAfter(res);
    this.inFlight.add(res);
    const state = this.connections.get(req.socket);
    if (state) state.busy++;
    res.once('close', () => {
      this.inFlight.delete(res);
      if (state) {
        state.busy--;
        state.lastActive = Date.now();
      }
    });
  }

  private closeLongIdle(): void {
    const now = Date.now();
    for (const [socket, state] of this.connections) {
      if (state.busy === 0 && now - state.lastActive >= this.idleGraceMs) socket.destroy();
    }
  }
}

/** The connection ends once this response is sent (Node reads the header it is given). */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

function within(deadline: number, work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    timer.unref();
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}
