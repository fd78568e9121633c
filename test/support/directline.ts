// Our Direct Line (REST routes and WebSocket stream) on a bare restify server, in memory, for a site
// or a benchmark that brings its own bot. One process: the adapter wakes the streams itself, where
// the app goes through the store's notifications.
import { randomBytes } from 'node:crypto';
import type restify from 'restify';
import WebSocket from 'ws';
import { DirectLineAdapter } from '../../bot/directline/adapter.js';
import { mountDirectLine } from '../../bot/directline/routes.js';
import { MemoryDirectLineStore } from '../../bot/storage/directline-store.js';
import { mountDirectLineStream } from '../../bot/directline/stream.js';
import { silentLogger } from '../../bot/log.js';
import type { Logic } from '../../bot/self-hosted-adapter.js';
import type { ServedAgencies } from '../../bot/directline/agencies.js';

/** One agency, for a site that does not care which: the default of a widget that names none. */
export const ONE_AGENCY: ServedAgencies = { has: (id) => id === 'site', defaultId: 'site' };

export function mountInMemoryDirectLine(server: restify.Server, logic: Logic, agencies: ServedAgencies = ONE_AGENCY): DirectLineAdapter {
  const store = new MemoryDirectLineStore();
  const tokenKey = randomBytes(32);
  const stream = mountDirectLineStream(server, { store, agencies, tokenKey, trustProxyHops: 0, log: silentLogger });
  const adapter = new DirectLineAdapter({ store, log: silentLogger, onAppend: (conversationId) => stream.news(conversationId) });
  mountDirectLine(server, { adapter, agencies, logic, tokenKey, log: silentLogger, stream });
  return adapter;
}

/** The HTTP status an upgrade was refused with (or 101 if it was accepted). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.once('error', () => {});
  });
}
