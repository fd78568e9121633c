// A shutdown that hands clients over to the next instance. Node's server.close() stops accepting,
// but a connection the browser opened ahead of time (no request on it yet) or kept alive after a
// request lives on, and the next request on it reaches this instance after its database closed: a
// citizen's message answered 503 and lost. So every connection is tracked by what it is doing.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionDrain {
  /**
   * Stops accepting connections and closes every one not serving a request; those serving one
   * answer with `Connection: close` and close after it. Upgraded sockets (streams) are left to
   * their owner, which closes them with its own goodbye.
   */
  begin(): void;
  /** Resolves once every connection is closed; whatever still holds on after `graceMs` is cut. */
  finished(graceMs: number): Promise<void>;
}

export function trackConnections(server: Server): ConnectionDrain {
  /** Requests under way per socket; absent means idle. */
  const requests = new Map<Socket, number>();
  const sockets = new Set<Socket>();
  const upgraded = new WeakSet<Socket>();
  let draining = false;
  let closed: Promise<void> | undefined;

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      requests.delete(socket);
    });
  });
  server.on('upgrade', (req: { socket: Socket }) => upgraded.add(req.socket));
  server.prependListener('request', (req, res) => {
    const socket = req.socket;
    requests.set(socket, (requests.get(socket) ?? 0) + 1);
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      const left = (requests.get(socket) ?? 1) - 1;
      if (left > 0) return void requests.set(socket, left);
      requests.delete(socket);
      if (draining) socket.destroy();
    });
  });

  const closeIdle = () => {
    for (const socket of sockets) if (!requests.has(socket) && !upgraded.has(socket)) socket.destroy();
  };

  return {
    begin() {
      if (draining) return;
      draining = true;
      // The callback comes once every connection has closed (or at once when not listening).
      closed = new Promise<void>((resolve) => server.close(() => resolve()));
      closeIdle();
    },
    async finished(graceMs) {
      this.begin();
      closeIdle();
      const cut = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(cut);
    },
  };
}
