// An agency's live console: GET /staff/api/agencies/:agency/state (the state, read once) and
// GET …/events, server-sent events: the state again whenever it changes, new lines of the
// agency's conversations the member may see, notes, and their own tickets' changes. Nothing of
// another agency: its signals are dropped before anything is read. Either route tells presence the
// member is here for the agency; the stream's heartbeat keeps telling it, and ends the stream once
// the session has ended or the member no longer serves the agency.
import type restify from 'restify';
import { errorFields, type Logger } from '../../log.js';
import type { HandoverRepository } from '../../handover/repository.js';
import type { ConsoleSignal } from '../../handover/types.js';
import type { ConsoleApi } from '../api.js';

export interface EventRoutesDeps {
  staff: Pick<HandoverRepository, 'staffById'>;
  log: Logger;
  /** How often the event stream says it is alive (and the session is re-checked). */
  heartbeatMs?: number;
}

export interface EventStreams {
  /** Ends the open event streams (server shutdown). */
  close(): void;
}

export function mountEventRoutes(api: ConsoleApi, deps: EventRoutesDeps): EventStreams {
  const { log } = deps;
  const streams = new Set<restify.Response>();

  api.agencyRoute('get', '/state', async (_req, res, { staff }, { side }) => {
    await side.presence.seen(staff);
    res.send(200, await side.view.consoleState(staff));
  });

  api.agencyRoute('get', '/events', async (req, res, auth, { agency, side }) => {
    const { view, presence } = side;
    let staff = auth.staff;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    streams.add(res);
    const write = (event: string, data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 3000\n\n');
    let pending: NodeJS.Timeout | undefined;
    const pushState = () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        void (async () => {
          staff = (await deps.staff.staffById(staff.id)) ?? staff;
          write('state', await view.consoleState(staff));
        })().catch((err: unknown) => log.warn({ err: errorFields(err) }, 'state not sent'));
      }, 50);
    };
    const onSignal = (signal: ConsoleSignal) => {
      void (async () => {
        switch (signal.kind) {
          case 'line': {
            if (signal.agency !== agency) return;
            const line = await view.line(signal.lineId);
            const ticket = line?.ticketId ? await view.ticket(line.ticketId) : undefined;
            if (line && ticket && view.canSee(staff, ticket)) write('line', line);
            return;
          }
          case 'notes':
            if (signal.agency === agency) write('notes', { ticketId: signal.ticketId, caseId: signal.caseId });
            return;
          case 'ticket':
            if (signal.agency !== agency) return;
            if (signal.staffId === staff.id) write('ticket', { ticketId: signal.ticketId, state: signal.state });
            return pushState();
          default:
            return pushState();
        }
      })().catch((err: unknown) => log.warn({ err: errorFields(err) }, 'event not sent'));
    };
    // The agency's signals, and those for every agency (accounts changed, a lost connection back).
    const unsubscribe = view.onSignal(onSignal);
    await presence.seen(staff);
    write('state', await view.consoleState(staff));
    const heartbeat = setInterval(() => {
      void (async () => {
        const still = await api.authenticate(req);
        // The session ended, the member was taken off the agency, or its folder went: the stream ends.
        if (!still || !api.stillServes(req, still.staff)) return res.end();
        staff = still.staff;
        await presence.seen(staff);
        res.write(': ping\n\n');
      })().catch(() => undefined);
    }, deps.heartbeatMs ?? 15_000);
    heartbeat.unref();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearInterval(heartbeat);
        clearTimeout(pending);
        unsubscribe();
        streams.delete(res);
        resolve();
      };
      res.once('close', done);
      req.once('close', done);
    });
  });

  return {
    close() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
