// Prometheus metrics for operators (prom-client): how long turns take, what the bot did, how the
// handover queue and cases stand. Served at /metrics to loopback clients or with a bearer token.
import { timingSafeEqual, createHash } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Request, Response } from 'restify';
import { isLoopback } from './guards.js';

export interface Metrics {
  registry: Registry;
  turnSeconds: Histogram<'type'>;
  turns: Counter<'kind'>;
  /** Functions that read the queue length and overdue cases when scraped (set by the handover side). */
  sources: { queueLength?: () => Promise<number>; casesOverdue?: () => Promise<number>; requestsWaiting?: () => number; directLineStreams?: () => number };
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
    turns: new Counter({ name: 'padoms_turns_total', help: 'Message turns by what the bot did', labelNames: ['kind'], registers: [registry] }),
  };
  new Gauge({
    name: 'padoms_handover_queue_length',
    help: 'Conversations waiting for a staff member',
    registers: [registry],
    async collect() {
      this.set(sources.queueLength ? await sources.queueLength() : 0);
    },
  });
  new Gauge({
    name: 'padoms_cases_overdue',
    help: 'Left questions past the date promised to the citizen',
    registers: [registry],
    async collect() {
      this.set(sources.casesOverdue ? await sources.casesOverdue() : 0);
    },
  });
  new Gauge({
    name: 'padoms_http_requests_waiting',
    help: 'HTTP requests read and waiting for their turn to start (the server is busier than it can serve at once)',
    registers: [registry],
    collect() {
      this.set(sources.requestsWaiting?.() ?? 0);
    },
  });
  new Gauge({
    name: 'padoms_directline_streams',
    help: 'Open Direct Line WebSocket streams (web chats reading their replies as they come)',
    registers: [registry],
    collect() {
      this.set(sources.directLineStreams?.() ?? 0);
    },
  });
  return metrics;
}

/** /metrics: not public. Loopback clients, or `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  return async (req: Request, res: Response) => {
    if (!isLoopback(req.socket.remoteAddress) && !bearerMatches(req.header('authorization', ''), token)) {
      res.send(403, { error: { code: 'Forbidden', message: 'metrics are for loopback clients or a bearer token' } });
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
