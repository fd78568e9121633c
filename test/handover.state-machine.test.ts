// The handover state machine, transition by transition, and the races around it: two staff
// accepting at once (one wins, also across two instances on one database), the citizen leaving
// while queued, and the staff member going offline mid-conversation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConversationAccount } from 'botbuilder';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../bot/config.js';
import { silentLogger } from '../bot/log.js';
import { createHandover, oneAgency, type Handover } from '../bot/handover/index.js';
import { MemoryHandoverRepository, type StaffMember } from '../bot/handover/repository.js';
import { SqlHandoverRepository, sqliteRunner } from '../bot/handover/sql-repository.js';
import { FINAL_STATES, transition, type HandoverEventName, type HandoverMachineEvent, type TicketRecord } from '../bot/handover/state-machine.js';
import type { HandoverEvent, HandoverRequest, HandoverState } from '../bot/handover/types.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import { openDatabase, openSqliteStore } from '../bot/storage/sqlite.js';
import type { PadomsStore } from '../bot/storage/store.js';
import { agencyProfile, type LanguageCode } from '../knowledge/schema.js';

const dvi = agencyProfile.parse(parseYaml(readFileSync('knowledge/agencies/dvi/profile.yaml', 'utf8')));
/** Monday 16 November 2026, 13:30 in Riga: within DVI's hours. */
const IN_HOURS = Date.parse('2026-11-16T11:30:00Z');

// ---- the machine ----

const ALL_STATES: HandoverState[] = ['awaiting-consent', 'queued', 'with-staff', 'back-to-bot', 'closed', 'offline-case', 'answered'];
const at = new Date(IN_HOURS);
const EVENTS: Record<HandoverEventName, HandoverMachineEvent> = {
  consent: { type: 'consent', at },
  decline: { type: 'decline', at },
  accept: { type: 'accept', at, staffId: 's1', staffName: 'Anna' },
  'citizen-left': { type: 'citizen-left', at },
  'hand-back': { type: 'hand-back', at },
  close: { type: 'close', at },
  'staff-offline': { type: 'staff-offline', at },
  'leave-case': { type: 'leave-case', at },
  answer: { type: 'answer', at },
};

/** Written out by hand (not read from the table under test). */
const ALLOWED: [HandoverState, HandoverEventName, HandoverState][] = [
  ['awaiting-consent', 'consent', 'queued'],
  ['awaiting-consent', 'decline', 'back-to-bot'],
  ['awaiting-consent', 'citizen-left', 'back-to-bot'],
  ['awaiting-consent', 'leave-case', 'offline-case'],
  ['queued', 'accept', 'with-staff'],
  ['queued', 'citizen-left', 'back-to-bot'],
  ['queued', 'close', 'closed'],
  ['queued', 'leave-case', 'offline-case'],
  ['with-staff', 'hand-back', 'back-to-bot'],
  ['with-staff', 'close', 'closed'],
  ['with-staff', 'citizen-left', 'closed'],
  ['with-staff', 'staff-offline', 'queued'],
  ['offline-case', 'answer', 'answered'],
  ['offline-case', 'close', 'closed'],
];

const ticketIn = (state: HandoverState): TicketRecord => ({
  id: 't1',
  agency: 'dvi',
  conversationId: 'c1',
  channel: 'directline',
  language: 'lv',
  reason: 'asked',
  state,
  createdAt: new Date(IN_HOURS - 60_000),
  updatedAt: new Date(IN_HOURS - 60_000),
  version: 3,
  ...(state === 'with-staff' ? { staffId: 's0', staffName: 'Jānis', acceptedAt: new Date(IN_HOURS - 30_000), queuedAt: new Date(IN_HOURS - 60_000) } : {}),
});

describe('the handover state machine', () => {
  for (const from of ALL_STATES) {
    for (const event of Object.keys(EVENTS) as HandoverEventName[]) {
      const allowed = ALLOWED.find(([f, e]) => f === from && e === event);
      it(`${from} + ${event} → ${allowed ? allowed[2] : 'refused'}`, () => {
        const result = transition(ticketIn(from), EVENTS[event]);
        if (allowed) {
          expect(result).toMatchObject({ ok: true, ticket: { state: allowed[2] } });
        } else {
          expect(result).toEqual({ ok: false, error: { code: 'invalid-transition', from, event } });
        }
      });
    }
  }

  it('accept records who and when; staff-offline forgets them but keeps the place in the queue', () => {
    const queued = transition(ticketIn('awaiting-consent'), EVENTS.consent);
    expect(queued.ok && queued.ticket.queuedAt).toEqual(at);
    const accepted = transition({ ...ticketIn('queued'), queuedAt: new Date(IN_HOURS - 60_000) }, EVENTS.accept);
    expect(accepted).toMatchObject({ ok: true, ticket: { staffId: 's1', staffName: 'Anna', acceptedAt: at } });
    const back = transition(ticketIn('with-staff'), EVENTS['staff-offline']);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.ticket.staffId).toBeUndefined();
    expect(back.ticket.staffName).toBeUndefined();
    expect(back.ticket.acceptedAt).toBeUndefined();
    expect(back.ticket.queuedAt).toEqual(new Date(IN_HOURS - 60_000));
  });

  it('final states record when they were reached and accept nothing more', () => {
    for (const [from, event, to] of ALLOWED) {
      const result = transition(ticketIn(from), EVENTS[event]);
      if (result.ok && FINAL_STATES.includes(to)) expect(result.ticket.closedAt).toEqual(at);
    }
    for (const final of FINAL_STATES) for (const e of Object.values(EVENTS)) expect(transition(ticketIn(final), e).ok).toBe(false);
  });

  it('does not change the ticket it is given', () => {
    const ticket = ticketIn('queued');
    const copy = structuredClone(ticket);
    transition(ticket, EVENTS.accept);
    expect(ticket).toEqual(copy);
  });
});

// ---- the races, through the service ----

interface Rig extends Handover {
  events: HandoverEvent[];
  clock: { t: number };
  store: PadomsStore;
  staff(name: string, login: string, languages: LanguageCode[]): Promise<StaffMember>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function rig(kind: 'memory' | 'sqlite', shared?: { dir: string; clock: { t: number } }): Promise<Rig> {
  const dir = shared?.dir ?? mkdtempSync(path.join(tmpdir(), 'padoms-handover-'));
  const clock = shared?.clock ?? { t: IN_HOURS };
  const now = () => new Date(clock.t);
  const store = kind === 'memory' ? createMemoryStore({ now }) : openSqliteStore({ dataDir: dir, now, defaultAgency: 'dvi' });
  const repo = kind === 'memory' ? new MemoryHandoverRepository() : new SqlHandoverRepository(sqliteRunner(openDatabase(dir)));
  const handover = createHandover({ config: testConfig({ DATA_DIR: dir }), store, agencies: oneAgency(dvi), log: silentLogger, now, repo, timers: false });
  await handover.ready;
  const events: HandoverEvent[] = [];
  handover.service.subscribe((e) => events.push(e));
  cleanups.push(async () => {
    await handover.close();
    await store.close();
    if (!shared) rmSync(dir, { recursive: true, force: true });
  });
  return {
    ...handover,
    events,
    clock,
    store,
    async staff(name, login, languages) {
      const added = await handover.directory.add({ name, login, languages, role: 'staff', password: 'correct horse battery' });
      if (!added.ok) throw new Error(added.message);
      await handover.service.seen(added.value);
      return added.value;
    },
  };
}

const request = (conversationId: string, language: LanguageCode = 'lv'): HandoverRequest => ({
  conversationId,
  channel: 'directline',
  language,
  reason: 'asked',
  reference: { channelId: 'directline', conversation: { id: conversationId } as ConversationAccount, serviceUrl: 'http://127.0.0.1' },
  transcript: [{ type: 'message', from: { id: 'u1', name: '', role: 'user' }, text: 'Gribu runāt ar cilvēku', timestamp: new Date(IN_HOURS - 5_000) }],
});

for (const kind of ['memory', 'sqlite'] as const) {
  describe(`races (${kind})`, () => {
    it('two staff accept at once: exactly one wins, the citizen hears of one', async () => {
      const h = await rig(kind);
      const [anna, janis] = await Promise.all([h.staff('Anna Bērziņa', 'anna', ['lv']), h.staff('Jānis Kalniņš', 'janis', ['lv'])]);
      const { ticket } = await h.service.enqueue(request('c-race'));
      const results = await Promise.all([h.service.accept(anna, ticket.id), h.service.accept(janis, ticket.id)]);
      expect(results.map((r) => r.kind).sort()).toEqual(['accepted', 'taken']);
      const winner = results[0]!.kind === 'accepted' ? anna : janis;
      expect((await h.service.active('c-race'))?.staffId).toBe(winner.id);
      expect(h.events.filter((e) => e.type === 'accepted')).toEqual([
        expect.objectContaining({
          conversationId: 'c-race',
          staffName: winner.name.split(' ')[0],
          reference: expect.objectContaining({ channelId: 'directline' }),
        }),
      ]);
      expect(await h.service.ticket(ticket.id)).toMatchObject({ state: 'with-staff', staffId: winner.id });
    });

    it('ten accepts at once: still exactly one', async () => {
      const h = await rig(kind);
      const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
      const { ticket } = await h.service.enqueue(request('c-ten'));
      const results = await Promise.all(Array.from({ length: 10 }, () => h.service.accept(anna, ticket.id)));
      expect(results.filter((r) => r.kind === 'accepted')).toHaveLength(1);
    });

    it('the citizen leaves while queued: nobody can accept, those behind move up', async () => {
      const h = await rig(kind);
      const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
      const first = await h.service.enqueue(request('c-first'));
      h.clock.t += 1000;
      const second = await h.service.enqueue(request('c-second'));
      expect(second.position).toBe(2);
      await h.service.cancel('c-first');
      expect(await h.service.accept(anna, first.ticket.id)).toEqual({ kind: 'taken' });
      expect(await h.service.active('c-first')).toBeUndefined();
      expect((await h.service.ticket(first.ticket.id))?.state).toBe('back-to-bot');
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'position', conversationId: 'c-second', position: 1 }));
      expect(await h.service.position('c-second')).toBe(1);
    });

    it('leaving and accepting at the same moment never leaves a staff member with a departed citizen', async () => {
      const h = await rig(kind);
      const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
      const { ticket } = await h.service.enqueue(request('c-both'));
      const [, accepted] = await Promise.all([h.service.cancel('c-both'), h.service.accept(anna, ticket.id)]);
      const final = await h.service.ticket(ticket.id);
      if (accepted.kind === 'accepted')
        expect(final?.state).toBe('closed'); // accepted first, then the citizen left
      else expect(final?.state).toBe('back-to-bot');
      expect(await h.service.active('c-both')).toBeUndefined();
    });

    it('the staff member’s console goes silent mid-conversation: requeued at the old place, another can take it', async () => {
      const h = await rig(kind);
      const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
      const janis = await h.staff('Jānis Kalniņš', 'janis', ['lv']);
      const { ticket } = await h.service.enqueue(request('c-drop'));
      h.clock.t += 1000;
      await h.service.enqueue(request('c-later'));
      expect((await h.service.accept(anna, ticket.id)).kind).toBe('accepted');
      // Jānis's console keeps beating; Anna's stops.
      h.clock.t += 61_000;
      await h.service.seen(janis);
      await h.service.sweep();
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'requeued', conversationId: 'c-drop', position: 1 }));
      const back = await h.service.ticket(ticket.id);
      expect(back).toMatchObject({ state: 'queued' });
      expect(back?.staffId).toBeUndefined();
      expect(await h.service.position('c-later')).toBe(2);
      expect(await h.service.statusOf(anna.id)).toBe('offline');
      expect((await h.service.accept(janis, ticket.id)).kind).toBe('accepted');
    });

    it('logging out mid-conversation requeues at once', async () => {
      const h = await rig(kind);
      const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
      const { ticket } = await h.service.enqueue(request('c-logout'));
      await h.service.accept(anna, ticket.id);
      await h.service.setStatus(anna, 'offline');
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'requeued', conversationId: 'c-logout', position: 1 }));
    });
  });
}

describe('races across two instances on one SQLite database', () => {
  it('two bot instances, two staff, one conversation: one claim wins', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'padoms-handover-'));
    const clock = { t: IN_HOURS };
    const a = await rig('sqlite', { dir, clock });
    const b = await rig('sqlite', { dir, clock });
    cleanups.unshift(async () => rmSync(dir, { recursive: true, force: true }));
    const anna = await a.staff('Anna Bērziņa', 'anna', ['lv']);
    const janis = await b.staff('Jānis Kalniņš', 'janis', ['lv']);
    const { ticket } = await a.service.enqueue(request('c-two'));
    const results = await Promise.all([a.service.accept(anna, ticket.id), b.service.accept(janis, ticket.id)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['accepted', 'taken']);
    expect([...a.events, ...b.events].filter((e) => e.type === 'accepted')).toHaveLength(1);
  });
});
