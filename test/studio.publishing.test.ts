// Publishing's guards, on the real store (SQLite) over a copy of the fixture knowledge: an agency
// whose files do not load is never seeded from them (its first publish would otherwise serve the
// drafts alone), and two publishes each valid alone but not together (one removes the entry the
// other's follow-up names) never both land: the store's revision lets only the first write.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteRunner } from '../bot/handover/sql-repository.js';
import { openDatabase } from '../bot/storage/sqlite.js';
import type { Author } from '../bot/studio/drafts.js';
import { StudioPublishing } from '../bot/studio/publishing.js';
import { SqlKnowledgeStore } from '../bot/studio/store.js';
import { loadSharedFiles } from '../knowledge/load.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';

const ANNA: Author = { id: 's-anna', name: 'Anna Bērziņa' };
const NOW = new Date('2026-11-16T10:00:00.000Z');
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function setUp() {
  const dir = mkdtempSync(path.join(tmpdir(), 'padoms-publishing-'));
  const knowledgeDir = path.join(dir, 'knowledge');
  cpSync(FIXTURE_KNOWLEDGE, knowledgeDir, { recursive: true });
  const db = openDatabase(path.join(dir, 'data'));
  const store = new SqlKnowledgeStore(sqliteRunner(db));
  const served: string[][] = [];
  const publishing = new StudioPublishing({
    store,
    knowledgeDir,
    sharedFiles: () => loadSharedFiles(knowledgeDir),
    serve: (_agency, entries) => void served.push((entries ?? []).map((e) => e.id)),
    announce: async () => {},
    now: () => NOW,
  });
  cleanups.push(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { knowledgeDir, store, publishing, served };
}

const WIFI = {
  id: 'library.wifi',
  questions: { lv: ['Vai bibliotēkā ir bezvadu internets?'] },
  answer: { lv: 'Jā, bezmaksas.' },
  sources: ['test fixture'],
  owner: 'Lasītāju apkalpošana',
  reviewed: '2026-11-01',
};

describe('publishing', () => {
  it('refuses the first publish while the files do not load, with their problems, and seeds nothing', async () => {
    const { knowledgeDir, store, publishing, served } = setUp();
    writeFileSync(path.join(knowledgeDir, 'agencies', 'library', 'entries', 'library.renew.yaml'), 'id: library.renew\nquestions: [unclosed\n');
    await store.save('library', { entryId: 'library.wifi', entry: WIFI, baseVersion: null, origin: { kind: 'editor' } }, ANNA, NOW);
    const result = await publishing.publish('library', undefined, ANNA);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.problems.some((p) => p.file.endsWith('library.renew.yaml'))).toBe(true);
    expect(await store.latest('library')).toEqual([]);
    expect(served).toEqual([]);
    expect(await store.get('library', 'library.wifi')).toBeDefined();
  });

  it('of two publishes valid alone but not together, one lands and the other is refused; the store stays loadable', async () => {
    const { store, publishing } = setUp();
    // Seeded first, so both publishes below start from the same store revision.
    await store.save('library', { entryId: 'library.wifi', entry: WIFI, baseVersion: null, origin: { kind: 'editor' } }, ANNA, NOW);
    expect((await publishing.publish('library', undefined, ANNA)).kind).toBe('published');
    // One removes library.wifi; the other adds an entry that names it as a follow-up.
    await store.save('library', { entryId: 'library.wifi', entry: null, remove: true, baseVersion: 1, origin: { kind: 'editor' } }, ANNA, NOW);
    const pointing = { ...WIFI, id: 'library.hours', questions: { lv: ['Kad bibliotēka atvērta?'] }, followUps: ['library.wifi'] };
    await store.save('library', { entryId: 'library.hours', entry: pointing, baseVersion: null, origin: { kind: 'editor' } }, ANNA, NOW);
    // Both read the store before either writes (as two instances may): each is valid against what it read.
    const latest = store.latest.bind(store);
    const waiting: (() => void)[] = [];
    store.latest = async (agency) => {
      const read = await latest(agency);
      // The first two reads (each publish's) wait for each other; later ones (the write's) pass.
      if (waiting.length < 2)
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 2) waiting.forEach((go) => go());
        });
      return read;
    };
    const results = await Promise.all([publishing.publish('library', ['library.wifi'], ANNA), publishing.publish('library', ['library.hours'], ANNA)]);
    store.latest = latest;
    expect(results.map((r) => r.kind).sort()).toEqual(['conflict', 'published']);
    const check = publishing.check(
      'library',
      (await store.latest('library')).filter((v) => v.entry !== null).map((v) => ({ id: v.entryId, entry: v.entry })),
    );
    expect(check.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('a draft of a "new" entry whose id came to exist meanwhile is a conflict at publish, not a silent replacement', async () => {
    const { store, publishing } = setUp();
    await store.save('library', { entryId: 'library.card', entry: { ...WIFI, id: 'library.card' }, baseVersion: null, origin: { kind: 'editor' } }, ANNA, NOW);
    const result = await publishing.publish('library', undefined, ANNA);
    expect(result).toEqual({ kind: 'conflict', entryIds: ['library.card'] });
    expect(await store.latest('library')).toEqual([]);
  });
});
