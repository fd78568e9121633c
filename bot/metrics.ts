// Prometheus metrics for operators (prom-client): how long turns take, what the bot did, how the
// handover queue and cases stand. Served at /metrics to loopback clients or with a bearer token.
import { timingSafeEqual, createHash } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Request, Response } from 'restify';
import { isLocalRequest } from './guards.js';
import { sendFailure } from './http/errors.js';

export interface Metrics {
  registry: Registry;
  turnSeconds: Histogram<'type'>;
  turns: Counter<'kind' | 'agency'>;
  /** Functions read when scraped: queue length and overdue cases by agency (the handover side), waiting requests, open streams. */
  sources: {
    queueLength?: () => Promise<ReadonlyMap<string, number>>;
    casesOverdue?: () => Promise<ReadonlyMap<string, number>>;
    requestsWaiting?: () => number;
    directLineStreams?: () => number;
  };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'padoms_' });
  const sources: Metrics['sources'] = {};
  const metrics: Metrics = {
    registry,
    sources,
    turnSeconds: new Histogram({
      name: 'padoms_turn_seconds',
      help: 'Time from a citizen activity arriving until the bot finished its turn',
      labelNames: ['type'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    turns: new Counter({
      name: 'padoms_turns_total',
      help: 'Message turns by what the bot did, by agency',
      labelNames: ['kind', 'agency'],
      registers: [registry],
    }),
  };
  // Read when scraped, from whatever part of the app set the source (0 until it has).
  const gauge = (name: string, help: string, read: () => number | Promise<number> | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set((await read()) ?? 0);
      },
    });
  // By agency, read when scraped; an agency with none is reported as 0 only once it has had some.
  const byAgency = (name: string, help: string, read: () => Promise<ReadonlyMap<string, number>> | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['agency'],
      registers: [registry],
      async collect() {
        const counts = await read();
        this.reset();
        for (const [agency, n] of counts ?? []) this.set({ agency }, n);
      },
    });
  byAgency('padoms_handover_queue_length', 'Conversations waiting for a staff member, by agency', () => sources.queueLength?.());
  byAgency('padoms_cases_overdue', 'Left questions past the date promised to the citizen, by agency', () => sources.casesOverdue?.());
  gauge('padoms_http_requests_waiting', 'HTTP requests read and waiting for their turn to start (the server is busier than it can serve at once)', () =>
    sources.requestsWaiting?.(),
  );
  gauge('padoms_directline_streams', 'Open Direct Line WebSocket streams (web chats reading their replies as they come)', () => sources.directLineStreams?.());
  return metrics;
}

/** /metrics: not public. Loopback clients, or `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  return async (req: Request, res: Response) => {
    if (!isLocalRequest(req) && !bearerMatches(req.header('authorization', ''), token)) {
      sendFailure(res, { status: 403, code: 'Forbidden', message: 'metrics are for loopback clients or a bearer token' });
      return;
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.sendRaw(200, await metrics.registry.metrics());
  };
}

function bearerMatches(header: string, token: string | undefined): boolean {
  if (!token || !header.startsWith('Bearer ')) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(header.slice(7)), digest(token));
}
