// The knowledge studio's store (bot/studio/store.ts), one contract run against SQLite and a real
// PostgreSQL server (a temporary cluster): drafts saved, replaced, listed and discarded per agency;
// an import's drafts saved all or none; versions numbered per entry, each following the one it
// names, so of two publishes of one entry exactly one writes; the latest of each entry (removals
// included); the audit of every change and each entry's last.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../bot/log.js';
import { postgresRunner, sqliteRunner } from '../bot/handover/sql-repository.js';
import { POSTGRES_MIGRATIONS } from '../bot/storage/migrations.js';
import { PgDatabase } from '../bot/storage/postgres-pool.js';
import { openDatabase } from '../bot/storage/sqlite.js';
import type { Author, DraftInput } from '../bot/studio/drafts.js';
import { FILES_AUTHOR, SqlKnowledgeStore, VersionConflictError } from '../bot/studio/store.js';
import { hasPostgres, startPostgres, type PgCluster } from './support/postgres.js';

const ANNA: Author = { id: 's-anna', name: 'Anna Bērziņa' };
const JANIS: Author = { id: 's-janis', name: 'Jānis Ozols' };
const T0 = new Date('2026-11-16T10:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const entry = (id: string, answer: string) => ({
  id,
  questions: { lv: [`Kā ${id}?`] },
  answer: { lv: answer },
  sources: ['test'],
  owner: 'Nodaļa',
  reviewed: '2026-11-01',
});
const draft = (entryId: string, answer: string, baseVersion: number | null = null): DraftInput => ({
  entryId,
  entry: entry(entryId, answer),
  baseVersion,
  origin: { kind: 'editor' },
});

interface Backend {
  name: 'sqlite' | 'postgres';
  skip?: boolean;
  open(): Promise<SqlKnowledgeStore>;
}

let cluster: PgCluster | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
afterAll(async () => {
  await cluster?.destroy();
});

const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(path.join(tmpdir(), 'padoms-studio-'));
      const store = new SqlKnowledgeStore(sqliteRunner(openDatabase(dir)));
      cleanups.push(async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      });
      return store;
    },
  },
  {
    name: 'postgres',
    skip: !hasPostgres && !process.env['CI'],
    async open() {
      cluster ??= await startPostgres();
      const url = await cluster.createDatabase();
      const store = new SqlKnowledgeStore(postgresRunner(new PgDatabase({ url, migrations: POSTGRES_MIGRATIONS, log: silentLogger }), true));
      cleanups.push(() => store.close());
      return store;
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`the studio's store on ${backend.name}`, () => {
    let store: SqlKnowledgeStore;
    beforeAll(async () => {
      // The first PostgreSQL start takes a few seconds.
      if (backend.name === 'postgres') cluster ??= await startPostgres();
    }, 60_000);

    it('saves, replaces, lists and discards drafts, each agency its own; every change is audited', async () => {
      store = await backend.open();
      const saved = await store.save('library', draft('library.card', 'Pirmā'), ANNA, T0);
      expect(saved).toEqual({
        agency: 'library',
        entryId: 'library.card',
        entry: entry('library.card', 'Pirmā'),
        remove: false,
        baseVersion: null,
        origin: { kind: 'editor' },
        author: ANNA,
        updatedAt: T0.toISOString(),
      });
      expect(await store.get('library', 'library.card')).toEqual(saved);
      // Replaced, not added: one draft per agency and entry.
      await store.save('library', { ...draft('library.card', 'Otrā', 1), origin: { kind: 'import', file: 'faq.csv', where: 'row 3' } }, JANIS, later(1));
      await store.save(
        'library',
        { entryId: 'library.renew', entry: null, remove: true, baseVersion: 2, origin: { kind: 'inbox', group: 'g1' } },
        ANNA,
        later(2),
      );
      await store.save('archive', draft('library.card', 'Arhīva'), ANNA, later(3));
      const library = await store.list('library');
      expect(library.map((d) => [d.entryId, d.remove, d.baseVersion, d.author.name, d.origin.kind])).toEqual([
        ['library.card', false, 1, 'Jānis Ozols', 'import'],
        ['library.renew', true, 2, 'Anna Bērziņa', 'inbox'],
      ]);
      expect((library[0]!.entry as { answer: { lv: string } }).answer.lv).toBe('Otrā');
      expect(library[0]!.origin).toEqual({ kind: 'import', file: 'faq.csv', where: 'row 3' });
      expect((await store.list('archive')).map((d) => (d.entry as { answer: { lv: string } }).answer.lv)).toEqual(['Arhīva']);

      expect(await store.discard('library', 'library.card', ANNA, later(4))).toBe(true);
      expect(await store.discard('library', 'library.card', ANNA, later(5))).toBe(false);
      expect(await store.get('library', 'library.card')).toBeUndefined();
      expect(await store.get('archive', 'library.card')).toBeDefined();
      // Newest first; a discard of nothing leaves no trace.
      expect((await store.audit('library')).map((e) => [e.entryId, e.action, e.author.id, e.at])).toEqual([
        ['library.card', 'draft-discarded', 's-anna', later(4).toISOString()],
        ['library.renew', 'draft-saved', 's-anna', later(2).toISOString()],
        ['library.card', 'draft-saved', 's-janis', later(1).toISOString()],
        ['library.card', 'draft-saved', 's-anna', T0.toISOString()],
      ]);
      expect((await store.audit('archive')).length).toBe(1);
    });

    it('saves an import all or none', async () => {
      store = await backend.open();
      const all = await store.saveAll('library', [draft('a.one', '1'), draft('a.two', '2')], ANNA, T0);
      expect(all.map((d) => d.entryId)).toEqual(['a.one', 'a.two']);
      // The second row breaks a constraint (an entry id the store cannot keep): the first is not kept either.
      const broken = { ...draft('a.three', '3'), entryId: null as unknown as string };
      await expect(store.saveAll('library', [draft('a.four', '4'), broken], ANNA, later(1))).rejects.toThrow();
      expect((await store.list('library')).map((d) => d.entryId)).toEqual(['a.one', 'a.two']);
      expect((await store.audit('library')).length).toBe(2);
    });

    it('numbers versions per entry, each after the one it names; the latest of each, removals included', async () => {
      store = await backend.open();
      expect(await store.publishedAgencies()).toEqual([]);
      expect(await store.latest('library')).toEqual([]);
      // A first publish: the files' entries seeded as version 1, one of them edited on top in the same write.
      await store.save('library', draft('library.card', 'Jaunā', 1), ANNA, T0);
      const written = await store.write(
        'library',
        [
          { entryId: 'library.card', entry: entry('library.card', 'No failiem'), after: null, action: 'seeded' },
          { entryId: 'library.renew', entry: entry('library.renew', 'No failiem'), after: null, action: 'seeded' },
          { entryId: 'library.card', entry: entry('library.card', 'Jaunā'), after: 1, action: 'published', draftSavedAt: T0.toISOString() },
        ],
        JANIS,
        later(1),
      );
      expect(written.map((v) => [v.entryId, v.version, v.author.id])).toEqual([
        ['library.card', 1, FILES_AUTHOR.id],
        ['library.renew', 1, FILES_AUTHOR.id],
        ['library.card', 2, 's-janis'],
      ]);
      // The draft it published is gone with it.
      expect(await store.get('library', 'library.card')).toBeUndefined();
      expect(await store.publishedAgencies()).toEqual(['library']);
      await store.write('library', [{ entryId: 'library.renew', entry: null, after: 1, action: 'published' }], ANNA, later(2));
      const latest = await store.latest('library');
      expect(latest.map((v) => [v.entryId, v.version, v.entry === null])).toEqual([
        ['library.card', 2, false],
        ['library.renew', 2, true],
      ]);
      expect((latest[0]!.entry as { answer: { lv: string } }).answer.lv).toBe('Jaunā');
      expect((await store.versions('library', 'library.card')).map((v) => [v.version, v.author.name, v.at])).toEqual([
        [1, 'files', later(1).toISOString()],
        [2, 'Jānis Ozols', later(1).toISOString()],
      ]);
      // Stored as written: the entry's keys come back in their order.
      expect(Object.keys((await store.versions('library', 'library.card'))[1]!.entry as object)).toEqual(Object.keys(entry('x', 'y')));
      // Another agency's versions are its own.
      expect(await store.latest('archive')).toEqual([]);
      const changes = await store.lastChanges('library');
      expect(changes.get('library.card')).toMatchObject({ action: 'published', version: 2, author: JANIS });
      expect(changes.get('library.renew')).toMatchObject({ action: 'published', version: 2, author: ANNA });
    });

    it('refuses a version after a stale one, writing nothing; of two concurrent publishes of one entry exactly one writes', async () => {
      store = await backend.open();
      await store.write('library', [{ entryId: 'e.one', entry: entry('e.one', 'v1'), after: null, action: 'published' }], ANNA, T0);
      await store.save('library', draft('e.two', 'jauns'), ANNA, T0);
      const stale = store.write(
        'library',
        [
          { entryId: 'e.two', entry: entry('e.two', 'jauns'), after: null, action: 'published', draftSavedAt: T0.toISOString() },
          { entryId: 'e.one', entry: entry('e.one', 'v2'), after: null, action: 'published' },
        ],
        JANIS,
        later(1),
      );
      await expect(stale).rejects.toEqual(new VersionConflictError(['e.one']));
      expect((await store.latest('library')).map((v) => v.entryId)).toEqual(['e.one']);
      expect(await store.get('library', 'e.two')).toBeDefined();

      const race = await Promise.allSettled(
        ['A', 'B'].map((who) => store.write('library', [{ entryId: 'e.one', entry: entry('e.one', who), after: 1, action: 'published' }], ANNA, later(2))),
      );
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = race.find((r) => r.status === 'rejected');
      expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(VersionConflictError);
      expect((await store.versions('library', 'e.one')).map((v) => v.version)).toEqual([1, 2]);
    });

    it('a write checked at a revision fails when another came first, even of other entries; revisions count per agency', async () => {
      store = await backend.open();
      expect(await store.revision('library')).toBe(0);
      await store.write('library', [{ entryId: 'e.one', entry: entry('e.one', 'v1'), after: null, action: 'published' }], ANNA, T0, 0);
      expect(await store.revision('library')).toBe(1);
      expect(await store.revision('archive')).toBe(0);
      // Two publishes read revision 1, each of another entry: only one lands, the other writes nothing.
      const race = await Promise.allSettled(
        ['e.two', 'e.three'].map((id) =>
          store.write('library', [{ entryId: id, entry: entry(id, 'jauns'), after: null, action: 'published' }], JANIS, later(1), 1),
        ),
      );
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = race.find((r) => r.status === 'rejected');
      expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(VersionConflictError);
      expect((await store.latest('library')).length).toBe(2);
      expect(await store.revision('library')).toBe(2);
      // A revision already passed: refused, nothing written.
      await expect(
        store.write('library', [{ entryId: 'e.four', entry: entry('e.four', 'x'), after: null, action: 'published' }], ANNA, later(2), 1),
      ).rejects.toBeInstanceOf(VersionConflictError);
      expect((await store.latest('library')).length).toBe(2);
      // The first write of another agency from revision 0, twice at once: one lands.
      const first = await Promise.allSettled(
        ['a.one', 'a.two'].map((id) => store.write('archive', [{ entryId: id, entry: entry(id, 'x'), after: null, action: 'published' }], ANNA, later(3), 0)),
      );
      expect(first.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.latest('archive')).length).toBe(1);
    });
  });
}
