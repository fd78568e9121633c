// From the studio back to files (bot/studio/export.ts, `npm run kb:export`): every agency of the
// knowledge folder and of the fixtures goes files → a first publish seeding the store → export →
// loaded again with kb:check's loader, and gives deep-equal entries and the same profile; an edit
// published in the studio is in the export, a removed entry is not. The CLI writes the same folder.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteRunner } from '../bot/handover/sql-repository.js';
import { openDatabase } from '../bot/storage/sqlite.js';
import { asFileEntry, exportAgency } from '../bot/studio/export.js';
import { StudioPublishing } from '../bot/studio/publishing.js';
import { SqlKnowledgeStore } from '../bot/studio/store.js';
import { loadKnowledgeFiles, loadSharedFiles, type KnowledgeFiles } from '../knowledge/load.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';

const ANNA = { id: 's-anna', name: 'Anna Bērziņa' };
const TODAY = new Date('2026-11-16T10:00:00Z');
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function studioOver(knowledgeDir: string): { publishing: StudioPublishing; store: SqlKnowledgeStore; dataDir: string } {
  const dataDir = temp('padoms-export-data-');
  const store = new SqlKnowledgeStore(sqliteRunner(openDatabase(dataDir)));
  cleanups.push(() => store.close());
  const shared = loadSharedFiles(knowledgeDir);
  const publishing = new StudioPublishing({ store, knowledgeDir, sharedFiles: () => shared, serve: () => {}, announce: async () => {}, now: () => TODAY });
  return { publishing, store, dataDir };
}

function filesOf(knowledgeDir: string, agency: string): KnowledgeFiles {
  const loaded = loadKnowledgeFiles({ knowledgeDir, agency, today: TODAY });
  if (!loaded.ok) throw new Error(`${agency}: ${loaded.problems.map((p) => p.message).join('; ')}`);
  return loaded.files;
}

/** The exported folder loaded as kb:check loads an agency: it must validate. */
function loadExport(out: string, sourceDir: string, agency: string): KnowledgeFiles {
  // The export is one agency's folder: put it where the loader looks, beside the same shared files.
  const root = temp('padoms-export-root-');
  cpSync(out, path.join(root, 'agencies', agency), { recursive: true });
  const loaded = loadKnowledgeFiles({ knowledgeDir: root, agency, today: TODAY, shared: loadSharedFiles(sourceDir) });
  if (!loaded.ok) throw new Error(`${agency} export: ${loaded.problems.map((p) => `${p.file} ${p.field}: ${p.message}`).join('; ')}`);
  return loaded.files;
}

const agenciesOf = (dir: string) => readdirSync(path.join(dir, 'agencies')).sort();

describe('files → store → files', () => {
  for (const [dir, agency] of [
    ...agenciesOf('knowledge').map((a) => ['knowledge', a] as const),
    ...agenciesOf(FIXTURE_KNOWLEDGE).map((a) => [FIXTURE_KNOWLEDGE, a] as const),
  ]) {
    it(`${dir}: ${agency} round-trips with deep-equal entries`, async () => {
      const files = filesOf(dir, agency);
      const { publishing, store } = studioOver(dir);
      // A first publish seeds version 1 of every entry from the files (here with one entry saved unchanged on top).
      const first = files.entries[0]!;
      await store.save(agency, { entryId: first.id, entry: asFileEntry(first), baseVersion: 1, origin: { kind: 'editor' } }, ANNA, TODAY);
      expect((await publishing.publish(agency, undefined, ANNA)).kind).toBe('published');
      expect((await store.latest(agency)).length).toBe(files.entries.length);

      const out = temp('padoms-export-');
      expect(await exportAgency({ publishing, knowledgeDir: dir, agency, out })).toEqual({ entries: files.entries.length, fromStore: true });
      const back = loadExport(out, dir, agency);
      expect(back.entries).toEqual(files.entries);
      expect(back.profile).toEqual(files.profile);
      expect(readFileSync(path.join(out, 'profile.yaml'), 'utf8')).toBe(readFileSync(path.join(dir, 'agencies', agency, 'profile.yaml'), 'utf8'));
    });
  }

  it('carries what the studio published: an edited answer, a new entry; not a removed one', async () => {
    const { publishing, store } = studioOver(FIXTURE_KNOWLEDGE);
    const files = filesOf(FIXTURE_KNOWLEDGE, 'library');
    const card = files.entries.find((e) => e.id === 'library.card')!;
    const edited = { ...card, answer: { ...card.answer, lv: 'Jauna atbilde.' }, followUps: ['library.hours'] };
    const hours = {
      id: 'library.hours',
      questions: { lv: ['Kad bibliotēka strādā?'] },
      answer: { lv: 'Darbdienās 9–18.' },
      sources: ['test'],
      owner: 'Vadība',
      reviewed: '2026-11-01',
    };
    const editor = { kind: 'editor' } as const;
    await store.save('library', { entryId: 'library.card', entry: edited, baseVersion: 1, origin: editor }, ANNA, TODAY);
    await store.save('library', { entryId: 'library.renew', entry: null, remove: true, baseVersion: 1, origin: editor }, ANNA, TODAY);
    // The card still follows up with the removed entry: kb:check refuses, nothing is written.
    await store.save('library', { entryId: 'library.card', entry: { ...edited, followUps: ['library.renew'] }, baseVersion: 1, origin: editor }, ANNA, TODAY);
    const refused = await publishing.publish('library', undefined, ANNA);
    expect(refused.kind === 'invalid' && refused.problems.map((p) => [p.entryId, p.field])).toEqual([['library.card', 'followUps.0']]);
    await store.save('library', { entryId: 'library.card', entry: edited, baseVersion: 1, origin: editor }, ANNA, TODAY);
    await store.save('library', { entryId: 'library.hours', entry: hours, baseVersion: null, origin: editor }, ANNA, TODAY);
    expect((await publishing.publish('library', undefined, ANNA)).kind).toBe('published');
    const out = temp('padoms-export-');
    // An older export's file of the removed entry does not survive a new export.
    await exportAgency({ publishing, knowledgeDir: FIXTURE_KNOWLEDGE, agency: 'library', out });
    const back = loadExport(out, FIXTURE_KNOWLEDGE, 'library');
    expect(back.entries.map((e) => e.id)).toEqual(['library.card', 'library.hours', 'smalltalk.greeting']);
    expect(back.entries[1]).toEqual({ ...hours, kind: 'topic', links: [], followUps: [], offerStaff: false });
    expect(back.entries[0]!.answer.lv).toBe('Jauna atbilde.');
    expect(existsSync(path.join(out, 'entries', 'library.renew.yaml'))).toBe(false);
    // Defaults are left out, as people write the files.
    expect(readFileSync(path.join(out, 'entries', 'library.card.yaml'), 'utf8')).not.toMatch(/^(kind|offerStaff|links):/m);
  });

  it('npm run kb:export writes the folder from the store under DATA_DIR', async () => {
    const { publishing, store, dataDir } = studioOver(FIXTURE_KNOWLEDGE);
    const files = filesOf(FIXTURE_KNOWLEDGE, 'archive');
    const first = files.entries[0]!;
    await store.save('archive', { entryId: first.id, entry: { ...first, owner: 'Jaunā nodaļa' }, baseVersion: 1, origin: { kind: 'editor' } }, ANNA, TODAY);
    expect((await publishing.publish('archive', undefined, ANNA)).kind).toBe('published');
    const out = path.join(temp('padoms-export-cli-'), 'archive');
    const run = promisify(execFile);
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      DATA_DIR: dataDir,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      AGENCY: 'archive',
    };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bot/cli/kb-export.ts', '--agency', 'archive', '--out', out], { env });
    expect(stdout).toContain(`archive: ${files.entries.length} entries written`);
    const back = loadExport(out, FIXTURE_KNOWLEDGE, 'archive');
    expect(back.entries.find((e) => e.id === first.id)?.owner).toBe('Jaunā nodaļa');
    await expect(run(process.execPath, ['--import', 'tsx', 'bot/cli/kb-export.ts', '--agency', 'archive'], { env })).rejects.toMatchObject({ code: 2 });
  }, 60_000);
});
