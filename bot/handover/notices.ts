// What the staff side tells others: the dialog side hears the citizen's events (HandoverService's
// `subscribe`), the consoles hear signals that something changed, on this instance and, over the
// bus, on every other. Both carry their agency; an agency's use cases speak through its slice
// (`forAgency`), which stamps it. The staff side (staff-side.ts) decides when it listens.
import { EventEmitter } from 'node:events';
import { errorFields, type Logger } from '../log.js';
import type { Notification, Unsubscribe } from '../storage/store.js';
import type { TicketRecord } from './state-machine.js';
import type { ConsoleSignal, HandoverEvent } from './types.js';

/** Notifications between instances (and to this instance's consoles). */
export const HANDOVER_CHANNEL = 'padoms_handover';

export interface HandoverBus {
  publish(channel: string, payload: string): Promise<void>;
  subscribe(channel: string, listener: (n: Notification) => void): Promise<Unsubscribe>;
}

/** An in-process bus for a service without a store (tests). */
export function localBus(): HandoverBus {
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    async publish(channel, payload) {
      setImmediate(() => emitter.emit(channel, payload));
    },
    async subscribe(channel, listener) {
      const handler = (payload: string) => listener({ kind: 'message', payload });
      emitter.on(channel, handler);
      return async () => void emitter.off(channel, handler);
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event for the citizen of a ticket: where the citizen is, and whose conversation, come from the ticket. */
export type CitizenNotice = DistributiveOmit<HandoverEvent, 'conversationId' | 'reference' | 'agency'>;

/** A signal as an agency's use case sends it: its slice adds the agency. */
export type AgencySignal = DistributiveOmit<ConsoleSignal, 'agency'>;

/** One agency's notices: what its use cases tell (stamped with the agency) and hear (its own and everyone's). */
export interface AgencyNotices {
  readonly agency: string;
  tellCitizen(ticket: TicketRecord, event: CitizenNotice): void;
  signal(signal: AgencySignal): Promise<void>;
  /** This agency's signals, and those for every agency. */
  onSignal(listener: (signal: ConsoleSignal) => void): () => void;
  /** The citizen events of this agency's conversations. */
  subscribe(listener: (event: HandoverEvent) => void): () => void;
}

export class HandoverNotices {
  private readonly events = new EventEmitter().setMaxListeners(0);
  private readonly signals = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly bus: HandoverBus,
    private readonly log: Logger,
  ) {}

  /** Tells the dialog side (this instance's listeners) what the citizen of the ticket must hear. */
  tellCitizen(ticket: TicketRecord, event: CitizenNotice): void {
    this.events.emit('event', { ...event, conversationId: ticket.conversationId, reference: ticket.reference ?? {}, agency: ticket.agency } as HandoverEvent);
  }

  forAgency(agency: string): AgencyNotices {
    const mine = (signal: ConsoleSignal) => signal.agency === undefined || signal.agency === agency;
    return {
      agency,
      tellCitizen: (ticket, event) => this.tellCitizen({ ...ticket, agency }, event),
      signal: (signal) => this.signal({ ...signal, agency } as ConsoleSignal),
      onSignal: (listener) => this.onSignal((signal) => mine(signal) && listener(signal)),
      subscribe: (listener) => this.subscribe((event) => event.agency === agency && listener(event)),
    };
  }

  subscribe(listener: (event: HandoverEvent) => void): () => void {
    const safe = (event: HandoverEvent) => {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err: errorFields(err) }, 'event listener failed');
      }
    };
    this.events.on('event', safe);
    return () => void this.events.off('event', safe);
  }

  /** Tells the console hub (here and on other instances) that something changed. */
  async signal(signal: ConsoleSignal): Promise<void> {
    try {
      await this.bus.publish(HANDOVER_CHANNEL, JSON.stringify(signal));
    } catch (err) {
      // Other instances miss this one; this instance's consoles still hear it.
      this.log.warn({ err: errorFields(err) }, 'notification not published');
      this.signals.emit('signal', signal);
    }
  }

  /** Console updates (this instance's and other instances' changes). */
  onSignal(listener: (signal: ConsoleSignal) => void): () => void {
    this.signals.on('signal', listener);
    return () => void this.signals.off('signal', listener);
  }

  /**
   * Listens to the bus: every instance's signals reach this instance's consoles; `onStaff` hears
   * that staff accounts changed. After a lost connection ("resync") the consoles re-read.
   */
  listen(onStaff: () => void): Promise<Unsubscribe> {
    return this.bus.subscribe(HANDOVER_CHANNEL, (n) => {
      if (n.kind === 'resync') return this.signals.emit('signal', { kind: 'queue' } satisfies ConsoleSignal);
      let signal: ConsoleSignal;
      try {
        signal = JSON.parse(n.payload) as ConsoleSignal;
      } catch {
        return;
      }
      if (signal.kind === 'staff') onStaff();
      this.signals.emit('signal', signal);
    });
  }

  /** Drops every listener (the service stopped). */
  close(): void {
    this.events.removeAllListeners();
    this.signals.removeAllListeners();
  }
}
