// One storage contract, three backends: the same cases run against memory, SQLite and a real
// PostgreSQL server (a temporary cluster; skipped where Debian's postgresql is not installed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import type { PadomsStore, Notification, PurgeCutoffs } from '../bot/storage/store.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import { openSqliteStore } from '../bot/storage/sqlite.js';
import { SQLITE_MIGRATIONS as MIGRATIONS } from '../bot/storage/migrations.js';
import { openPostgresStore } from '../bot/storage/postgres.js';
import { StorageConflictError } from '../bot/storage/errors.js';
import { useRecordingMiddleware } from '../bot/storage/recording.js';
import { silentLogger } from '../bot/log.js';
import { hasPostgres, startPostgres, type PgCluster } from './support/postgres.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const PERSONAL_CODE = '150575-12341';
/** Two agencies of one installation (the fixture folders' names); the first is the default. */
const AGENCY = 'library';
const OTHER = 'archive';
/** One cutoff for every agency and for conversations of none. */
const everyAgency = (before: Date): PurgeCutoffs => ({ byAgency: new Map(), otherwise: before });

interface Opened {
  store: PadomsStore;
  /** Another instance on the same database (SQL backends), for races and notifications. */
  second?: () => PadomsStore;
  /** Inserts a case row directly (the case repository comes with the handover issue). */
  seedCase?: (c: { id: string; conversationId: string; state: 'open' | 'closed'; at: Date }) => Promise<void>;
  /** The ratings as kept, with their agency and comment (which reads do not return). */
  ratings(): Promise<{ agency: string; conversationId: string; score: number; comment: string | null }[]>;
}

interface Backend {
  name: 'memory' | 'sqlite' | 'postgres';
  skip?: string;
  open(now: () => Date): Promise<Opened>;
}

let cluster: PgCluster | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

const backends: Backend[] = [
  {
    name: 'memory',
    async open(now) {
      const store = createMemoryStore({ now });
      return {
        store,
        async ratings() {
          return [AGENCY, OTHER].flatMap((agency) =>
            store.recordsOf(agency).ratings.map((r) => ({ agency, conversationId: r.conversationId, score: r.score, comment: r.comment ?? null })),
          );
        },
      };
    },
  },
  {
    name: 'sqlite',
    async open(now) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-contract-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const file = path.join(dataDir, 'padoms.sqlite');
      return {
        store: openSqliteStore({ dataDir, now, defaultAgency: AGENCY }),
        second: () => openSqliteStore({ dataDir, now, defaultAgency: AGENCY }),
        async ratings() {
          const db = new Database(file, { readonly: true });
          try {
            return db.prepare('SELECT agency, conversation_id AS conversationId, score, comment FROM ratings ORDER BY id').all() as Awaited<
              ReturnType<Opened['ratings']>
            >;
          } finally {
            db.close();
          }
        },
        async seedCase(c) {
          const db = new Database(file);
          db.prepare(
            "INSERT INTO cases (id, conversation_id, language, state, summary, created_at, due_at, closed_at) VALUES (?, ?, 'lv', ?, 'summary', ?, ?, ?)",
          ).run(c.id, c.conversationId, c.state, c.at.toISOString(), c.at.toISOString(), c.state === 'closed' ? c.at.toISOString() : null);
          db.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    // Skipped only where PostgreSQL is missing and this is not CI (.ci/run installs it).
    ...(hasPostgres || process.env['CI'] ? {} : { skip: 'PostgreSQL not installed (apt-get install -y postgresql)' }),
    async open(now) {
      const url = await cluster!.createDatabase();
      const store = openPostgresStore({ url, now, log: silentLogger, defaultAgency: AGENCY });
      await store.ping(); // runs the migrations
      return {
        store,
        second: () => openPostgresStore({ url, now, log: silentLogger, defaultAgency: AGENCY }),
        async ratings() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            const { rows } = await client.query('SELECT agency, conversation_id AS "conversationId", score, comment FROM ratings ORDER BY id');
            return rows as Awaited<ReturnType<Opened['ratings']>>;
          } finally {
            await client.end();
          }
        },
        async seedCase(c) {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(
            "INSERT INTO cases (id, conversation_id, language, state, summary, created_at, due_at, closed_at) VALUES ($1, $2, 'lv', $3, 'summary', $4, $4, $5)",
            [c.id, c.conversationId, c.state, c.at, c.state === 'closed' ? c.at : null],
          );
          await client.end();
        },
      };
    },
  },
];

beforeAll(async () => {
  if (hasPostgres) cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.destroy();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function userMessage(conversationId: string, text: string, at: Date, channelId = 'directline'): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    id: `u-${at.getTime()}-${text.length}`,
    text,
    timestamp: at,
    channelId,
    conversation: { id: conversationId, isGroup: false, name: '', conversationType: 'personal' },
    from: { id: 'dl_citizen', name: '', role: 'user' },
    recipient: { id: 'padoms', name: 'Padoms', role: 'bot' },
  };
}

function botMessage(conversationId: string, text: string, at: Date): Partial<Activity> {
  return {
    ...userMessage(conversationId, text, at),
    id: `b-${at.getTime()}`,
    from: { id: 'padoms', name: 'Padoms', role: 'bot' },
    recipient: { id: 'dl_citizen', name: '' },
  };
}

function nextNotification(
  store: PadomsStore,
  channel: string,
  accept: (n: Notification) => boolean = () => true,
): Promise<{ ready: Promise<unknown>; received: Promise<Notification> }> {
  return new Promise((resolveOuter) => {
    let resolveReceived!: (n: Notification) => void;
    const received = new Promise<Notification>((r) => (resolveReceived = r));
    const ready = store.subscribe(channel, (n) => {
      if (accept(n)) resolveReceived(n);
    });
    resolveOuter({ ready, received });
  });
}

describe.each(backends)('$name store', (backend) => {
  let clock: { now: Date };
  let opened: Opened;
  let store: PadomsStore;
  const open = async () => {
    clock = { now: T0 };
    opened = await backend.open(() => clock.now);
    store = opened.store;
    cleanups.push(() => store.close());
  };

  describe.skipIf(backend.skip !== undefined)(backend.skip ?? 'contract', () => {
    it('state: a write carries on from the eTag it read; a stale eTag is refused; none or "*" overwrites', async () => {
      await open();
      const key = 'directline/conversations/c-state/';
      await store.state.write({ [key]: { conversationData: { language: 'lv' } } });
      const first = (await store.state.read([key]))[key] as { eTag: string; conversationData: { language: string } };
      expect(first.conversationData.language).toBe('lv');
      expect(first.eTag).toEqual(expect.any(String));

      await store.state.write({ [key]: { ...first, conversationData: { language: 'en' } } });
      const second = (await store.state.read([key]))[key] as { eTag: string };
      expect(second.eTag).not.toBe(first.eTag);

      await expect(store.state.write({ [key]: { ...first, conversationData: { language: 'ru' } } })).rejects.toBeInstanceOf(StorageConflictError);
      // A batch with one stale item writes nothing.
      await expect(store.state.write({ other: { n: 1 }, [key]: { ...first, n: 2 } })).rejects.toBeInstanceOf(StorageConflictError);
      expect(await store.state.read(['other'])).toEqual({});

      await store.state.write({ [key]: { eTag: '*', conversationData: { language: 'uk' } } });
      await store.state.write({ [key]: { conversationData: { language: 'de' } } });
      expect(((await store.state.read([key]))[key] as { conversationData: { language: string } }).conversationData.language).toBe('de');

      await store.state.delete([key]);
      expect(await store.state.read([key])).toEqual({});
      // Written again after deletion: an eTag from before must not match by accident.
      await store.state.write({ [key]: { conversationData: { language: 'lv' } } });
      await expect(store.state.write({ [key]: { ...second, x: 1 } })).rejects.toBeInstanceOf(StorageConflictError);
    });

    it('transcripts: every activity is redacted before it is stored, and pages come back in order', async () => {
      await open();
      const adapter = useRecordingMiddleware(
        new TestAdapter(async (context) => {
          await context.sendActivity(`Jūs rakstījāt: ${context.activity.text ?? ''}`);
        }),
        { store, log: silentLogger, agencyOf: () => OTHER, deletionRequested: () => undefined },
      );
      await adapter.send(`Mans personas kods ir ${PERSONAL_CODE}, konts LV80BANK0000435195001`).startTest();
      // The write is awaited by the middleware: nothing to wait for here.
      const conversationId = adapter.conversation.conversation.id;
      const page = await store.transcripts.getTranscriptActivities('test', conversationId);
      expect(page.items.map((a) => a.text)).toEqual([
        'Mans personas kods ir [personas kods], konts [konta numurs]',
        'Jūs rakstījāt: Mans personas kods ir [personas kods], konts [konta numurs]',
      ]);
      expect(JSON.stringify(page.items)).not.toContain('12341');
      // The turn recorded whose conversation it is, with its writes.
      expect(await store.agencyOfConversation(conversationId)).toBe(OTHER);

      for (let i = 0; i < 230; i++) await store.transcripts.logActivity(userMessage('c-long', `ziņa ${i}`, new Date(T0.getTime() + i * 1000)) as Activity);
      const texts: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const result = await store.transcripts.getTranscriptActivities('directline', 'c-long', token);
        texts.push(...result.items.map((a) => a.text ?? ''));
        token = result.continuationToken || undefined;
        pages++;
      } while (token !== undefined);
      expect(pages).toBe(3);
      expect(texts).toEqual(Array.from({ length: 230 }, (_, i) => `ziņa ${i}`));
      const since = await store.transcripts.getTranscriptActivities('directline', 'c-long', undefined, new Date(T0.getTime() + 228_000));
      expect(since.items.map((a) => a.text)).toEqual(['ziņa 228', 'ziņa 229']);
      expect((await store.transcripts.listTranscripts('directline')).items.map((t) => t.id)).toEqual(['c-long']);
    });

    it('records: outcomes, feedback, unanswered questions, choices, ratings and suggestions are kept', async () => {
      await open();
      const r = store.recordsOf(AGENCY);
      await r.outcome({ conversationId: 'c1', channel: 'directline', language: 'lv', kind: 'answer', entryId: 'dvi.consent', authorityIds: [], at: T0 });
      await r.feedback({ conversationId: 'c1', entryId: 'dvi.consent', helpful: false, at: T0 });
      await r.unanswered({ conversationId: 'c1', text: 'asdf [personas kods]', reason: 'fallback', language: 'lv', at: new Date(T0.getTime() - DAY) });
      await r.unanswered({ conversationId: 'c1', text: 'nepalīdzēja', reason: 'not-helpful', language: 'en', entryId: 'dvi.consent', at: T0 });
      await r.clarifyChoice({ conversationId: 'c1', chosenId: null, offeredIds: ['a', 'b'], at: T0 });
      await r.rating({ conversationId: 'c1', language: 'lv', score: 4, at: T0 });
      await r.ratingComment({ conversationId: 'c1', comment: 'labi', at: T0 });
      await r.suggestion({ conversationId: 'c1', text: 'vairāk valodu', at: T0 });
      // A forward names the other agency, and reads back with it.
      const later = new Date(T0.getTime() + 1);
      await r.outcome({ conversationId: 'c1', channel: 'directline', language: 'lv', kind: 'forward', authorityIds: [], otherAgency: 'archive', at: later });
      const { outcomes } = await r.period(T0, new Date(later.getTime() + 1));
      expect(outcomes.map((o) => [o.kind, o.entryId, o.otherAgency])).toEqual([
        ['answer', 'dvi.consent', undefined],
        ['forward', undefined, 'archive'],
      ]);
      expect(await r.listUnanswered(T0)).toEqual([
        { conversationId: 'c1', text: 'nepalīdzēja', reason: 'not-helpful', language: 'en', entryId: 'dvi.consent', at: T0 },
      ]);
      expect(await r.listUnanswered(new Date(0))).toHaveLength(2);
    });

    it("records by agency: one agency's records never appear in another's period or unanswered list", async () => {
      await open();
      const [ours, theirs] = [store.recordsOf(AGENCY), store.recordsOf(OTHER)];
      // The same conversation id in both: what separates them is the agency alone.
      for (const [r, id, entryId] of [
        [ours, 'c-both', 'library.hours'],
        [theirs, 'c-both', 'archive.copies'],
        [theirs, 'c-archive', 'archive.certificate'],
      ] as const) {
        await r.outcome({ conversationId: id, channel: 'directline', language: 'lv', kind: 'answer', entryId, authorityIds: [], at: T0 });
        await r.feedback({ conversationId: id, entryId, helpful: true, at: T0 });
        await r.unanswered({ conversationId: id, text: `nav atbildes: ${entryId}`, reason: 'not-helpful', language: 'lv', entryId, at: T0 });
        await r.rating({ conversationId: id, language: 'lv', score: 3, at: T0 });
      }
      const day = [T0, new Date(T0.getTime() + DAY)] as const;
      const ourPeriod = await ours.period(...day);
      expect(ourPeriod.outcomes.map((o) => o.entryId)).toEqual(['library.hours']);
      expect(ourPeriod.feedback.map((f) => f.entryId)).toEqual(['library.hours']);
      expect(ourPeriod.unanswered.map((u) => u.entryId)).toEqual(['library.hours']);
      expect(ourPeriod.ratings).toHaveLength(1);
      expect((await theirs.period(...day)).outcomes.map((o) => o.entryId).sort()).toEqual(['archive.certificate', 'archive.copies']);
      expect((await ours.listUnanswered(new Date(0))).map((u) => u.text)).toEqual(['nav atbildes: library.hours']);
      expect((await theirs.listUnanswered(new Date(0))).map((u) => u.entryId).sort()).toEqual(['archive.certificate', 'archive.copies']);
      // An agency with nothing recorded sees nothing.
      expect(await store.recordsOf('nobody').period(...day)).toEqual({ outcomes: [], feedback: [], ratings: [], unanswered: [] });
      expect(() => store.recordsOf('')).toThrow(/agency/);
    });

    it("a rating comment goes to the conversation's latest rating in its own agency only", async () => {
      await open();
      await store.recordsOf(AGENCY).rating({ conversationId: 'c-both', language: 'lv', score: 4, at: T0 });
      // The other agency's rating of the same conversation id is the newer one.
      await store.recordsOf(OTHER).rating({ conversationId: 'c-both', language: 'lv', score: 2, at: T0 });
      await store.recordsOf(AGENCY).ratingComment({ conversationId: 'c-both', comment: 'laipni', at: T0 });
      // An agency with no rating of the conversation attaches nothing anywhere.
      await store.recordsOf('nobody').ratingComment({ conversationId: 'c-both', comment: 'nekam', at: T0 });
      const kept = (await opened.ratings()).map(({ agency, score, comment }) => ({ agency, score, comment }));
      expect(kept.sort((a, b) => a.agency.localeCompare(b.agency))).toEqual([
        { agency: OTHER, score: 2, comment: null },
        { agency: AGENCY, score: 4, comment: 'laipni' },
      ]);
    });

    it('home agency: the first one recorded stays, reads back, and goes when the conversation is deleted', async () => {
      await open();
      expect(await store.agencyOfConversation('c-home')).toBeUndefined();
      await store.recordHomeAgency('c-home', AGENCY, T0);
      await store.recordHomeAgency('c-home', OTHER, new Date(T0.getTime() + 1000));
      await store.recordHomeAgency('c-away', OTHER, T0);
      expect(await store.agencyOfConversation('c-home')).toBe(AGENCY);
      expect(await store.agencyOfConversation('c-away')).toBe(OTHER);
      await store.deleteConversation('c-home');
      expect(await store.agencyOfConversation('c-home')).toBeUndefined();
      expect(await store.agencyOfConversation('c-away')).toBe(OTHER);
    });

    it('Direct Line: conversations, appends with consecutive watermarks, polls from a watermark', async () => {
      await open();
      const conversation = { id: 'dlconversation0001', userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString(), locale: 'lv-LV' };
      const dl = store.directLine;
      expect(await dl.createConversation(conversation)).toBe(true);
      expect(await dl.createConversation({ ...conversation, userId: 'dl_other000' })).toBe(false);
      expect(await dl.getConversation(conversation.id)).toEqual(conversation);
      expect(await dl.getConversation('nope-nope-nope-nope')).toBeUndefined();

      expect(await dl.listActivities(conversation.id, 0, 100)).toEqual({ activities: [], watermark: 0 });
      await dl.appendActivity(conversation.id, userMessage(conversation.id, `kods ${PERSONAL_CODE}`, T0));
      expect(await dl.listActivities(conversation.id, 0, 100)).toMatchObject({ watermark: 1 });
      await dl.appendActivity(conversation.id, botMessage(conversation.id, 'Atbilde ar LV80BANK0000435195001', T0));
      expect(await dl.listActivities(conversation.id, 0, 100)).toMatchObject({ watermark: 2 });
      await dl.appendActivity(conversation.id, botMessage(conversation.id, 'Vai tas palīdzēja?', T0));
      // An unknown conversation's activity is dropped: nobody could poll it.
      await dl.appendActivity('nope-nope-nope-nope', botMessage('x', 'x', T0));
      expect(await dl.getConversation('nope-nope-nope-nope')).toBeUndefined();

      const all = await dl.listActivities(conversation.id, 0, 100);
      expect(all?.watermark).toBe(3);
      // The citizen's words are redacted; the bot's reply (what the citizen must read) is not.
      expect(all?.activities.map((a) => a.text)).toEqual(['kods [personas kods]', 'Atbilde ar LV80BANK0000435195001', 'Vai tas palīdzēja?']);
      expect(all?.activities[0]?.timestamp).toBe(T0.toISOString());
      expect(await dl.listActivities(conversation.id, 2, 100)).toMatchObject({ watermark: 3, activities: [{ text: 'Vai tas palīdzēja?' }] });
      expect(await dl.listActivities(conversation.id, 0, 2)).toMatchObject({ watermark: 2 });
      expect(await dl.listActivities(conversation.id, 3, 100)).toEqual({ activities: [], watermark: 3 });
      expect(await dl.listActivities(conversation.id, 99, 100)).toEqual({ activities: [], watermark: 3 });
      expect(await dl.listActivities('nope-nope-nope-nope', 0, 100)).toBeUndefined();

      // Concurrent appends each get their own watermark: all 20 are there, numbered 4 to 23.
      await Promise.all(Array.from({ length: 20 }, (_, i) => dl.appendActivity(conversation.id, botMessage(conversation.id, `m${i}`, T0))));
      const concurrent = await dl.listActivities(conversation.id, 3, 100);
      expect(concurrent?.watermark).toBe(23);
      expect(concurrent?.activities.map((a) => a.text).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    });

    it('publish/subscribe: a message on a channel reaches its subscribers', async () => {
      await open();
      const { ready, received } = await nextNotification(store, 'padoms_test');
      await ready;
      await store.publish('padoms_test', 'sveiki');
      expect(await received).toEqual({ kind: 'message', payload: 'sveiki' });
      await expect(store.subscribe('Bad-Name;', () => undefined)).rejects.toThrow(/channel/);
    });

    it('deleteConversation removes the conversation from every store and nothing else; its counts stay, unlinked', async () => {
      await open();
      for (const id of ['delete-me-000000001', 'keep-me-0000000001']) {
        await store.state.write({ [`directline/conversations/${id}/`]: { conversationData: { language: 'lv' } } });
        // The Direct Line store writes the Direct Line transcript row; another channel's comes from the logger.
        await store.transcripts.logActivity(userMessage(id, 'Labdien', T0, 'msteams') as Activity);
        await store.recordsOf(AGENCY).outcome({ conversationId: id, channel: 'directline', language: 'lv', kind: 'answer', authorityIds: [], at: T0 });
        await store.recordsOf(AGENCY).unanswered({ conversationId: id, text: 'x', reason: 'fallback', language: 'lv', at: T0 });
        await store.recordsOf(AGENCY).rating({ conversationId: id, language: 'lv', score: 5, at: T0 });
        await store.recordsOf(AGENCY).ratingComment({ conversationId: id, comment: 'paldies, Jānis', at: T0 });
        await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString() });
        await store.directLine.appendActivity(id, userMessage(id, 'Labdien', T0));
        await opened.seedCase?.({ id: `case-${id}`, conversationId: id, state: 'open', at: T0 });
        await store.recordHomeAgency(id, AGENCY, T0);
      }
      const removed = await store.deleteConversation('delete-me-000000001');
      expect(removed).toEqual({ state: 1, transcripts: 2, records: 1, unlinked: 2, handover: 0, cases: opened.seedCase ? 1 : 0 });

      const gone = 'delete-me-000000001';
      // What the bot did and the score still count (the standards' reports), under an id that leads nowhere, without the comment.
      const period = await store.recordsOf(AGENCY).period(new Date(0), new Date(T0.getTime() + 1));
      expect(period.outcomes).toHaveLength(2);
      const erased = period.ratings.find((r) => r.conversationId !== 'keep-me-0000000001');
      expect(erased).toMatchObject({ score: 5, conversationId: expect.stringMatching(/^erased:/) });
      expect((erased as { comment?: string } | undefined)?.comment).toBeUndefined();
      expect(period.outcomes.map((o) => o.conversationId)).not.toContain(gone);
      expect(await store.agencyOfConversation(gone)).toBeUndefined();
      expect(await store.state.read([`directline/conversations/${gone}/`])).toEqual({});
      expect((await store.transcripts.getTranscriptActivities('directline', gone)).items).toEqual([]);
      expect((await store.transcripts.getTranscriptActivities('msteams', gone)).items).toEqual([]);
      expect((await store.recordsOf(AGENCY).listUnanswered(new Date(0))).map((u) => u.conversationId)).toEqual(['keep-me-0000000001']);
      // Direct Line keeps the conversation's id and watermark (no content), so the widget's next poll works.
      expect((await store.directLine.listActivities(gone, 0, 10))?.activities).toEqual([]);

      const kept = 'keep-me-0000000001';
      expect(await store.agencyOfConversation(kept)).toBe(AGENCY);
      expect(Object.keys(await store.state.read([`directline/conversations/${kept}/`]))).toHaveLength(1);
      expect((await store.transcripts.getTranscriptActivities('directline', kept)).items).toHaveLength(1);
      expect((await store.directLine.listActivities(kept, 0, 10))?.activities).toHaveLength(1);
      expect(await store.deleteConversation(kept)).toMatchObject({ cases: opened.seedCase ? 1 : 0 });
    });

    it('purge removes what is older than the limit, with a pinned clock; open cases stay', async () => {
      await open();
      const old = T0;
      const recent = new Date(T0.getTime() + 100 * DAY);
      for (const [id, at] of [
        ['old-conversation-0001', old],
        ['new-conversation-0001', recent],
      ] as const) {
        clock.now = at;
        await store.state.write({ [`directline/conversations/${id}/`]: { conversationData: { language: 'lv' } } });
        await store.recordsOf(AGENCY).outcome({ conversationId: id, channel: 'directline', language: 'lv', kind: 'answer', authorityIds: [], at });
        await store.recordsOf(AGENCY).feedback({ conversationId: id, entryId: 'dvi.consent', helpful: true, at });
        await store.recordsOf(AGENCY).unanswered({ conversationId: id, text: 'x', reason: 'fallback', language: 'lv', at });
        await store.recordsOf(AGENCY).clarifyChoice({ conversationId: id, chosenId: 'a', offeredIds: ['a'], at });
        await store.recordsOf(AGENCY).suggestion({ conversationId: id, text: 'ideja', at });
        await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: at.toISOString() });
        await store.directLine.appendActivity(id, userMessage(id, 'Labdien', at));
        await opened.seedCase?.({ id: `closed-${id}`, conversationId: id, state: 'closed', at });
      }
      await opened.seedCase?.({ id: 'open-old', conversationId: 'old-conversation-0001', state: 'open', at: old });

      const cutoff = new Date(recent.getTime() - 90 * DAY); // 10 days after `old`
      const removed = await store.purge(everyAgency(cutoff));
      expect(removed).toEqual({ state: 1, transcripts: 1, records: 5, handover: 0, cases: opened.seedCase ? 1 : 0 });

      expect(await store.directLine.getConversation('old-conversation-0001')).toBeUndefined();
      expect(await store.directLine.getConversation('new-conversation-0001')).toBeDefined();
      expect((await store.recordsOf(AGENCY).listUnanswered(new Date(0))).map((u) => u.conversationId)).toEqual(['new-conversation-0001']);
      expect((await store.transcripts.getTranscriptActivities('directline', 'old-conversation-0001')).items).toEqual([]);
      // The open case survived: deleting the conversation now finds it.
      expect(await store.deleteConversation('old-conversation-0001')).toMatchObject({ cases: opened.seedCase ? 1 : 0 });
      expect(await store.purge(everyAgency(cutoff))).toEqual({ state: 0, transcripts: 0, records: 0, handover: 0, cases: 0 });
    });

    it("purge goes by each agency's cutoff: records by their own agency, conversations by their home agency", async () => {
      await open();
      const now = new Date(T0.getTime() + 400 * DAY);
      const ago = (days: number) => new Date(now.getTime() - days * DAY);
      // The conversation, its home agency (none: older data, or a channel that marks none), the
      // agency its records were written for, and its age. 'retired' is an agency no longer listed.
      const conversations = [
        { id: 'library-100-days-old', home: AGENCY, records: AGENCY, at: ago(100) },
        { id: 'archive-100-days-old', home: OTHER, records: OTHER, at: ago(100) },
        { id: 'homeless-100-days-old', home: undefined, records: OTHER, at: ago(100) },
        { id: 'homeless-60-days-old', home: undefined, records: 'retired', at: ago(60) },
        { id: 'retired-100-days-old', home: 'retired', records: 'retired', at: ago(100) },
      ];
      for (const c of conversations) {
        clock.now = c.at;
        if (c.home !== undefined) await store.recordHomeAgency(c.id, c.home, c.at);
        await store.state.write({ [`directline/conversations/${c.id}/`]: { conversationData: { language: 'lv' } } });
        await store.transcripts.logActivity(userMessage(c.id, 'Labdien', c.at, 'msteams') as Activity);
        await store.directLine.createConversation({ id: c.id, userId: 'dl_user0001', agency: c.home ?? 'library', createdAt: c.at.toISOString() });
        await store.directLine.appendActivity(c.id, userMessage(c.id, 'Labdien', c.at));
        const r = store.recordsOf(c.records);
        await r.outcome({ conversationId: c.id, channel: 'directline', language: 'lv', kind: 'answer', authorityIds: [], at: c.at });
        await r.unanswered({ conversationId: c.id, text: 'x', reason: 'fallback', language: 'lv', at: c.at });
        await r.rating({ conversationId: c.id, language: 'lv', score: 5, at: c.at });
        await opened.seedCase?.({ id: `closed-${c.id}`, conversationId: c.id, state: 'closed', at: c.at });
      }
      await opened.seedCase?.({ id: 'open-homeless', conversationId: 'homeless-100-days-old', state: 'open', at: ago(100) });
      clock.now = now;

      const cutoffs: PurgeCutoffs = {
        byAgency: new Map([
          [AGENCY, ago(30)],
          [OTHER, ago(365)],
        ]),
        otherwise: ago(90),
      };
      const removed = await store.purge(cutoffs);
      // Gone: the library's, the homeless 100-day-old and the retired agency's conversations (a
      // state, two transcript rows and a closed case each); the library's and the retired agency's
      // 100-day-old records (three each).
      expect(removed).toEqual({ state: 3, transcripts: 6, records: 6, handover: 0, cases: opened.seedCase ? 3 : 0 });

      const left = async (id: string) => ({
        state: Object.keys(await store.state.read([`directline/conversations/${id}/`])).length,
        transcript: (await store.transcripts.getTranscriptActivities('msteams', id)).items.length,
        directLine: (await store.directLine.getConversation(id)) !== undefined,
        home: await store.agencyOfConversation(id),
      });
      const none = { state: 0, transcript: 0, directLine: false, home: undefined };
      expect(await left('library-100-days-old')).toEqual(none);
      expect(await left('archive-100-days-old')).toEqual({ state: 1, transcript: 1, directLine: true, home: OTHER });
      expect(await left('homeless-100-days-old')).toEqual(none);
      // Kept by `otherwise` (90 days), not by the shortest limit.
      expect(await left('homeless-60-days-old')).toEqual({ state: 1, transcript: 1, directLine: true, home: undefined });
      expect(await left('retired-100-days-old')).toEqual(none);
      const unanswered = async (agency: string) => (await store.recordsOf(agency).listUnanswered(new Date(0))).map((u) => u.conversationId).sort();
      expect(await unanswered(AGENCY)).toEqual([]);
      // A conversation's records go by their own agency: the homeless conversation is gone, its archive records stay.
      expect(await unanswered(OTHER)).toEqual(['archive-100-days-old', 'homeless-100-days-old']);
      expect(await unanswered('retired')).toEqual(['homeless-60-days-old']);
      // The open case survived: deleting the conversation now finds it.
      expect(await store.deleteConversation('homeless-100-days-old')).toMatchObject({ cases: opened.seedCase ? 1 : 0 });
      expect(await store.purge(cutoffs)).toEqual({ state: 0, transcripts: 0, records: 0, handover: 0, cases: 0 });
    });

    it('ping succeeds while the database is there', async () => {
      await open();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
});

describe('SQLite migrations', () => {
  it('a database from before (schema version 1) is upgraded at start and keeps its state', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-migrate-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Version 1 as it shipped.
    const old = new Database(path.join(dataDir, 'padoms.sqlite'));
    old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
      INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.000Z');
      CREATE TABLE state (key TEXT PRIMARY KEY, etag INTEGER NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE outcomes (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, channel TEXT NOT NULL, language TEXT NOT NULL,
        kind TEXT NOT NULL, entry_id TEXT, authority_ids TEXT NOT NULL, at TEXT NOT NULL);
      CREATE TABLE feedback (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, entry_id TEXT NOT NULL, helpful INTEGER NOT NULL, at TEXT NOT NULL);
      CREATE TABLE unanswered (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, text TEXT NOT NULL, reason TEXT NOT NULL,
        language TEXT NOT NULL, entry_id TEXT, at TEXT NOT NULL);
      CREATE TABLE clarify_choices (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, chosen_id TEXT, offered_ids TEXT NOT NULL, at TEXT NOT NULL);
      INSERT INTO state VALUES ('directline/conversations/old-conv/', 3, '{"conversationData":{"language":"en"}}', '2026-01-01T00:00:00.000Z');`);
    old.close();

    const store = openSqliteStore({ dataDir, defaultAgency: AGENCY });
    cleanups.push(() => store.close());
    const item = (await store.state.read(['directline/conversations/old-conv/']))['directline/conversations/old-conv/'] as {
      eTag: string;
      conversationData: { language: string };
    };
    expect(item).toEqual({ conversationData: { language: 'en' }, eTag: 'v1-3' });
    await expect(store.state.write({ 'directline/conversations/old-conv/': { ...item, eTag: '3' } })).rejects.toBeInstanceOf(StorageConflictError);
    expect(await store.deleteConversation('old-conv')).toMatchObject({ state: 1 });
  });

  it('Direct Line activities from the WITHOUT ROWID table survive the move to a rowid table, watermarks and all', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-migrate-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const old = new Database(path.join(dataDir, 'padoms.sqlite'));
    const before = MIGRATIONS.findIndex((sql) => sql.includes('dl_activities_rowid'));
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    MIGRATIONS.slice(0, before).forEach((sql, i) => {
      old.exec(sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(i + 1, '2026-01-01T00:00:00.000Z');
    });
    old.exec(`INSERT INTO dl_conversations (id, user_id, locale, created_at, last_active_at, last_watermark) VALUES ('c1', 'u1', 'lv', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 2);
      INSERT INTO dl_activities VALUES ('c1', 1, '2026-01-01T00:00:00.000Z', '{"type":"message","text":"pirmā"}');
      INSERT INTO dl_activities VALUES ('c1', 2, '2026-01-01T00:00:01.000Z', '{"type":"message","text":"otrā"}');`);
    old.close();

    const store = openSqliteStore({ dataDir, defaultAgency: AGENCY });
    cleanups.push(() => store.close());
    const slice = await store.directLine.listActivities('c1', 0, 10);
    expect(slice).toEqual({
      activities: [
        { type: 'message', text: 'pirmā' },
        { type: 'message', text: 'otrā' },
      ],
      watermark: 2,
    });
    await store.directLine.appendActivity('c1', { type: 'message', text: 'trešā', from: { id: 'bot', name: 'bot' } });
    expect(await store.directLine.listActivities('c1', 2, 10)).toMatchObject({ watermark: 3, activities: [{ text: 'trešā' }] });
  });
});
