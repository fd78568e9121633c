// The studio's import with the studio's real drafts store (bot/studio/store.ts on SQLite), on the
// two fixture agencies: an editor's XLSX becomes drafts (origin: the file and the row), listed by
// the editor's routes; ids never clash with published entries or with drafts already there (a
// second import of the same file); a file with one bad row saves nothing, the drafts before it
// left as they were; the imported drafts publish (publishing checks them with kb:check's code).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import type { ImportRefusal, ImportResponse } from '../bot/staff/routes/studio-import.js';
import { startAgenciesSite, type AgenciesSite, type Session } from './support/agencies-site.js';

describe('importing into the drafts store', () => {
  let site: AgenciesSite;
  let editor: Session;
  let publisher: Session;

  beforeAll(async () => {
    site = await startAgenciesSite();
    await site.staff('redaktore', ['lv'], [{ agency: 'library', role: 'editor' }]);
    await site.staff('publicetajs', ['lv'], [{ agency: 'library', role: 'publisher' }]);
    [editor, publisher] = await Promise.all([site.login('redaktore'), site.login('publicetajs')]);
  }, 60_000);
  afterAll(async () => {
    await site?.stop();
  });

  const upload = (s: Session, name: string, bytes: Buffer) =>
    fetch(`${site.origin}/staff/api/agencies/library/studio/import`, {
      method: 'POST',
      headers: {
        cookie: s.cookie,
        'x-csrf-token': s.csrf,
        origin: site.origin,
        'content-type': 'application/octet-stream',
        'x-file-name': encodeURIComponent(name),
      },
      body: bytes,
    });
  const drafts = async () =>
    (
      (await (await site.call('GET', '/staff/api/agencies/library/studio/drafts', editor)).json()) as {
        drafts: { entryId: string; origin: { kind: string; file?: string; where?: string } }[];
      }
    ).drafts;
  const faq = async (rows: (string | null)[][]) => Buffer.from(await writeXlsxFile([['Jautājums', 'Atbilde'], ...rows]).toBuffer());

  it('makes a draft per row, unique against published entries and earlier drafts, all or none', async () => {
    const file = await faq([
      ['Kā saņemt lasītāja karti?', 'Bibliotēkā ar personu apliecinošu dokumentu.'],
      ['Vai bibliotēkā ir bezvadu internets?', 'Jā, bez maksas.\n- tīkls „Biblioteka”'],
    ]);
    const first = await upload(editor, 'BUJ ģimenēm.xlsx', file);
    expect(first.status).toBe(200);
    const made = (await first.json()) as ImportResponse;
    expect(made.file).toBe('BUJ ģimenēm.xlsx');
    expect(made.drafts.map((d) => [d.entryId, d.where])).toEqual([
      ['library.sanemt-lasitaja-karti', 'row 2'],
      ['library.biblioteka-bezvadu-internets', 'row 3'],
    ]);
    const listed = await drafts();
    expect(listed.find((d) => d.entryId === 'library.sanemt-lasitaja-karti')?.origin).toEqual({ kind: 'import', file: 'BUJ ģimenēm.xlsx', where: 'row 2' });

    // The same file again: new ids beside the drafts already there.
    const again = (await (await upload(editor, 'BUJ ģimenēm.xlsx', file)).json()) as ImportResponse;
    expect(again.drafts.map((d) => d.entryId)).toEqual(['library.sanemt-lasitaja-karti-2', 'library.biblioteka-bezvadu-internets-2']);

    // One bad row: nothing of the file is saved.
    const before = (await drafts()).map((d) => d.entryId).sort();
    const bad = await upload(
      editor,
      'bad.xlsx',
      await faq([
        ['Kur atrodas bibliotēka?', 'Brīvības ielā 1.'],
        ['Vai var ienākt ar suni?', null],
      ]),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ImportRefusal).problems.map((p) => p.where)).toEqual(['row 3']);
    expect((await drafts()).map((d) => d.entryId).sort()).toEqual(before);
  });

  it('the imported drafts pass publishing', async () => {
    const res = await site.call('POST', '/staff/api/agencies/library/studio/publish', publisher, {
      ids: ['library.sanemt-lasitaja-karti', 'library.biblioteka-bezvadu-internets'],
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });
});
