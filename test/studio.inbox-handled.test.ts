// The unanswered inbox's handled groups (bot/studio/inbox-handled.ts), one contract on three
// backends: memory, SQLite and a real PostgreSQL server (a temporary cluster; skipped where Debian's
// postgresql is missing), each opened as the app opens it, next to the store (its migrations, its
// SQLite connection). A group and its questions are kept all or nothing; a question handled twice is
// refused, the first kept; agencies apart; the marks go with retention, the groups stay; what is
// kept holds no question's words; the inbox groups less what was handled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../bot/config.js';
import { silentLogger } from '../bot/log.js';
import type { UnansweredQuestion } from '../bot/records.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import { openPostgresStore } from '../bot/storage/postgres.js';
import { openSqliteStore } from '../bot/storage/sqlite.js';
import type { PadomsStore } from '../bot/storage/store.js';
import { inboxGroups, newEntryFrom, questionId, withPhrasing } from '../bot/studio/inbox.js';
import { openInboxHandled, type InboxHandled } from '../bot/studio/inbox-handled.js';
import { KnowledgeSource } from '../knowledge/source.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';
import { hasPostgres, startPostgres, type PgCluster } from './support/postgres.js';

const T0 = new Date('2026-11-16T09:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ANNA = { id: 'staff-anna', name: 'Anna Redaktore' };
const JANIS = { id: 'staff-janis', name: 'Jānis Redaktors' };

interface Opened {
  store: PadomsStore;
  handled: InboxHandled;
  /** Every text the backend keeps in the inbox's tables (nothing for memory, which keeps objects). */
  keptTexts(): Promise<string[]>;
}

let cluster: PgCluster | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

const backends: { name: string; skip?: string; open(): Promise<Opened> }[] = [
  {
    name: 'memory',
    async open() {
      const store = createMemoryStore({ now: () => T0 });
      return { store, handled: openInboxHandled(store, testConfig({}), silentLogger), keptTexts: async () => [] };
    },
  },
  {
    name: 'sqlite',
    async open() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-inbox-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const store = openSqliteStore({ dataDir, now: () => T0, defaultAgency: 'library' });
      const handled = openInboxHandled(store, testConfig({ DATA_DIR: dataDir }), silentLogger);
      return {
        store,
        handled,
        async keptTexts() {
          const db = new Database(path.join(dataDir, 'padoms.sqlite'), { readonly: true });
          try {
            const rows = [
              ...db.prepare('SELECT * FROM studio_inbox_handled').all(),
              ...db.prepare('SELECT * FROM studio_inbox_handled_questions').all(),
            ] as Record<string, unknown>[];
            return rows.flatMap((r) => Object.values(r).map(String));
          } finally {
            db.close();
          }
        },
      };
    },
  },
  {
    name: 'postgres',
    ...(hasPostgres ? {} : { skip: 'PostgreSQL is not installed (apt-get install -y postgresql)' }),
    async open() {
      cluster ??= await startPostgres();
      const url = await cluster.createDatabase();
      const store = openPostgresStore({ url, log: silentLogger, now: () => T0, defaultAgency: 'library' });
      const handled = openInboxHandled(store, testConfig({ DATABASE_URL: url, DIRECTLINE_TOKEN_SECRET: 'x'.repeat(32) }), silentLogger);
      return {
        store,
        handled,
        async keptTexts() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            const a = await client.query('SELECT * FROM studio_inbox_handled');
            const b = await client.query('SELECT * FROM studio_inbox_handled_questions');
            return [...a.rows, ...b.rows].flatMap((r: Record<string, unknown>) => Object.values(r).map(String));
          } finally {
            await client.end();
          }
        },
      };
    },
  },
];

afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
  await cluster?.destroy();
});

const question = (conversationId: string, text: string, at: Date, reason: UnansweredQuestion['reason'] = 'fallback'): UnansweredQuestion => ({
  conversationId,
  text,
  reason,
  language: 'lv',
  at,
});
const named = (q: UnansweredQuestion) => ({ id: questionId(q), at: q.at });

describe.each(backends)('handled groups: $name', (backend) => {
  let opened: Opened;
  beforeAll(async () => {
    if (backend.skip) return;
    opened = await backend.open();
    cleanups.unshift(async () => {
      await opened.handled.close();
      await opened.store.close();
    });
  }, 60_000);

  it.skipIf(backend.skip !== undefined)('keeps a group with its questions; a question handled again is refused, the first kept; agencies apart', async () => {
    const { handled } = opened;
    const a = question('c1', 'Kur nodot vecās grāmatas?', new Date(T0.getTime() - 2 * HOUR));
    const b = question('c2', 'Kur var nodot vecas grāmatas?', new Date(T0.getTime() - HOUR), 'none-of-these');
    const first = await handled.record('library', { key: questionId(a), action: 'authority', authorityId: 'vid' }, [named(a), named(b)], ANNA, T0);
    expect(first.ok).toBe(true);
    // Another editor, the same question (a race between two consoles): refused whole, nothing of it kept.
    const c = question('c3', 'Vai varat pieņemt grāmatas?', new Date(T0.getTime() - HOUR));
    const second = await handled.record('library', { key: questionId(c), action: 'dismiss' }, [named(c), named(b)], JANIS, new Date(T0.getTime() + 1000));
    expect(second).toEqual({ ok: false, reason: 'already-handled' });

    const found = await handled.handledSince('library', new Date(T0.getTime() - DAY));
    expect([...found.keys()].sort()).toEqual([questionId(a), questionId(b)].sort());
    expect(found.get(questionId(b))).toMatchObject({ action: 'authority', authorityId: 'vid', questions: 2, staff: ANNA, key: questionId(a) });
    expect(found.get(questionId(b))!.at.toISOString()).toBe(T0.toISOString());
    expect(found.has(questionId(c))).toBe(false);
    // The same question id in another agency is that agency's own.
    expect((await handled.handledSince('archive', new Date(0))).size).toBe(0);
    expect((await handled.record('archive', { key: questionId(b), action: 'dismiss' }, [named(b)], JANIS, T0)).ok).toBe(true);
    const groups = await handled.groups('library', new Date(T0.getTime() - DAY), new Date(T0.getTime() + DAY));
    expect(groups.map((g) => [g.action, g.questions, g.staff.name])).toEqual([['authority', 2, 'Anna Redaktore']]);
    // Only questions asked since `since` count.
    expect((await handled.handledSince('library', new Date(T0.getTime() - HOUR))).size).toBe(1);
  });

  it.skipIf(backend.skip !== undefined)("keeps none of a question's words; retention removes the marks by each agency's limit, the groups stay", async () => {
    const { handled } = opened;
    const old = question('c-old', 'Slepenais Teikums Astoņi par kaimiņu', new Date(T0.getTime() - 40 * DAY));
    const recent = question('c-new', 'Slepenais Teikums Deviņi par kaimiņu', new Date(T0.getTime() - DAY));
    expect((await handled.record('library', { key: questionId(old), action: 'dismiss' }, [named(old), named(recent)], ANNA, T0)).ok).toBe(true);
    const kept = (await opened.keptTexts()).join('\n');
    expect(kept).not.toContain('Slepenais');
    expect(kept).not.toContain('c-old');
    expect(kept).not.toContain('c-new');

    const before = (await handled.handledSince('library', new Date(0))).size;
    // The library keeps 30 days, every other agency a year.
    const removed = await handled.purge({ byAgency: new Map([['library', new Date(T0.getTime() - 30 * DAY)]]), otherwise: new Date(T0.getTime() - 365 * DAY) });
    expect(removed).toBe(1);
    const after = await handled.handledSince('library', new Date(0));
    expect(after.size).toBe(before - 1);
    expect(after.has(questionId(old))).toBe(false);
    expect(after.has(questionId(recent))).toBe(true);
    expect((await handled.handledSince('archive', new Date(0))).size).toBe(1); // within its year
    expect((await handled.groups('library', new Date(0), new Date(T0.getTime() + DAY))).filter((g) => g.action === 'dismiss')).toHaveLength(1);
  });
});

describe('the inbox less what was handled', () => {
  const knowledge = new KnowledgeSource({ knowledgeDir: FIXTURE_KNOWLEDGE, agency: 'library', now: () => T0 }, silentLogger).current;

  it('groups as kb:unanswered does, names the closest entry, and a new question brings a handled group back with only itself', async () => {
    const at = (h: number) => new Date(T0.getTime() - h * HOUR);
    const questions = [
      question('q1', 'Vai bibliotēkā var izdrukāt dokumentu?', at(5)),
      question('q2', 'Kā izdrukāt dokumentu bibliotēkā?', at(4), 'none-of-these'),
      question('q3', 'Vai jūs pieņemat dāvinātas grāmatas?', at(3)),
      question('q4', 'Kā pagarināt lasītāja karti?', at(2), 'not-helpful'),
    ];
    const [print, , gift] = inboxGroups(questions, new Map(), knowledge).map((g) => g.group);
    expect(print).toMatchObject({ count: 2, key: questionId(questions[0]!), reasons: { fallback: 1, 'none-of-these': 1, 'not-helpful': 0 }, earlier: [] });
    expect(print!.examples.map((e) => e.text)).toEqual(['Kā izdrukāt dokumentu bibliotēkā?', 'Vai bibliotēkā var izdrukāt dokumentu?']);
    expect(print!.through).toBe(at(4).toISOString());
    expect(gift!.count).toBe(1);
    const card = inboxGroups(questions, new Map(), knowledge).find((g) => g.group.key === questionId(questions[3]!))!.group;
    expect(card.closest?.id).toBe('library.card');

    const memory = openInboxHandled(createMemoryStore({ now: () => T0 }), testConfig({}), silentLogger);
    const printing = inboxGroups(questions, new Map(), knowledge)[0]!;
    await memory.record('library', { key: printing.group.key, action: 'dismiss' }, printing.questions, ANNA, T0);
    const handled = await memory.handledSince('library', new Date(0));
    expect(inboxGroups(questions, handled, knowledge).map((g) => g.group.key)).not.toContain(printing.group.key);

    const again = [...questions, question('q5', 'Vai drīkst izdrukāt dokumentu bibliotēkā?', new Date(T0.getTime() + HOUR))];
    const back = inboxGroups(again, handled, knowledge).find((g) => g.group.key === printing.group.key)!.group;
    expect(back.count).toBe(1);
    expect(back.examples.map((e) => e.text)).toEqual(['Vai drīkst izdrukāt dokumentu bibliotēkā?']);
    expect(back.earlier).toEqual([{ action: 'dismiss', questions: 2, staffName: 'Anna Redaktore', at: T0.toISOString() }]);
  });
});

describe('the drafts an action makes', () => {
  const knowledge = new KnowledgeSource({ knowledgeDir: FIXTURE_KNOWLEDGE, agency: 'library', now: () => T0 }, silentLogger).current;

  it("adds the question to the entry's phrasings in its language, once, leaving the entry it was given as it was", () => {
    const card = knowledge.entries.get('library.card')!;
    const added = withPhrasing(card, 'Kur izņemt lasītāja karti?', 'lv')!;
    expect(added.added).toBe(true);
    expect((added.entry as typeof card).questions.lv).toEqual([...card.questions.lv, 'Kur izņemt lasītāja karti?']);
    expect((added.entry as typeof card).questions.en).toEqual(card.questions.en);
    expect(card.questions.lv).not.toContain('Kur izņemt lasītāja karti?');
    // Already there, written otherwise (case, diacritics): unchanged.
    expect(withPhrasing(added.entry, 'kur iznemt lasitaja karti', 'lv')).toEqual({ entry: added.entry, added: false });
    // Another language starts its own list; a draft with no phrasings object cannot take one.
    const russian = withPhrasing(card, 'Как получить читательский билет?', 'ru')!;
    expect((russian.entry as typeof card).questions.ru).toEqual(['Как получить читательский билет?']);
    expect(withPhrasing({ id: 'x', questions: 'lv' }, 'a', 'lv')).toBeUndefined();
    expect(withPhrasing('not an entry', 'a', 'lv')).toBeUndefined();
  });

  it('begins a new entry with the question as its first phrasing (Latvian always present), for the editor to complete', () => {
    expect(newEntryFrom('library.print', 'Vai var izdrukāt?', 'lv')).toMatchObject({
      id: 'library.print',
      kind: 'topic',
      questions: { lv: ['Vai var izdrukāt?'] },
    });
    expect(newEntryFrom('library.print', 'Can I print?', 'en')).toMatchObject({ questions: { lv: [], en: ['Can I print?'] } });
  });
});
