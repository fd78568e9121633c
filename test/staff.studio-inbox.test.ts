// The studio's unanswered inbox and "what a change would move" over HTTP on loopback (the console of
// the two fixture agencies, a real SQLite store): the groups of the agency's own unanswered
// questions with counts, reasons, examples and the closest entry; staff see them but cannot act, an
// agency's administrator can; a group dismissed or marked as another authority's leaves the inbox
// (counted per authority), a new question like it brings it back with only itself; a stale or twice
// handled group is refused; the draft actions make drafts in the studio's store; bad
// input gets the one error shape; the impact route says which answers the editor's drafts would move.
// "Did not help" and "none of these" reach the records the inbox reads: through a real conversation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandleResponse, ImpactResponse, InboxResponse } from '../bot/staff/routes/studio-inbox.js';
import { startAgenciesSite, type AgenciesSite, type Session } from './support/agencies-site.js';
import type { InProcessBot } from '../bot/cli/in-process.js';
import { MemoryRecords } from '../bot/storage/kept-records.js';
import { buttons, demoBot, press } from './support/bot.js';

const HOUR = 3_600_000;
const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
const api = (agency: string, rest: string) => `/staff/api/agencies/${agency}${rest}`;

let site: AgenciesSite;
let staff: Session;
let editor: Session;
let arc: Session;
/** An editor of the library's knowledge (role `editor`, below an administrator). */
let knowledgeEditor: Session;

const unanswered = (
  agency: string,
  conversationId: string,
  text: string,
  hoursAgo: number,
  reason: 'fallback' | 'none-of-these' | 'not-helpful' = 'fallback',
) => site.store.recordsOf(agency).unanswered({ conversationId, text, reason, language: 'lv', at: new Date(site.clock.t - hoursAgo * HOUR) });

beforeAll(async () => {
  site = await startAgenciesSite();
  await site.staff('lib', ['lv'], [{ agency: 'library', role: 'staff' }]);
  await site.staff('libadmin', ['lv'], [{ agency: 'library', role: 'admin' }]);
  await site.staff('libeditor', ['lv'], [{ agency: 'library', role: 'editor' }]);
  await site.staff('arc', ['lv'], [{ agency: 'archive', role: 'admin' }]);
  [staff, editor, arc, knowledgeEditor] = await Promise.all([site.login('lib'), site.login('libadmin'), site.login('arc'), site.login('libeditor')]);
  await unanswered('library', 'c1', 'Vai bibliotēkā var izdrukāt dokumentu?', 50);
  await unanswered('library', 'c2', 'Kā izdrukāt dokumentu bibliotēkā?', 30, 'none-of-these');
  await unanswered('library', 'c3', 'Vai drīkst izdrukāt dokumentu bibliotēkā? Mans kods [personas kods]', 20);
  await unanswered('library', 'c4', 'Vai jūs pieņemat dāvinātas grāmatas?', 10);
  await unanswered('library', 'c5', 'Kā pagarināt lasītāja karti internetā?', 5, 'not-helpful');
  // Older than the default 30 days: only in a longer period.
  await unanswered('library', 'c6', 'Kur atrodas bibliotēkas kafejnīca?', 24 * 40);
  await unanswered('archive', 'a1', 'Vai arhīvs strādā svētdienās naktī?', 3);
}, 60_000);
afterAll(async () => {
  await site?.stop();
});

const inbox = async (s: Session, query = '') => json<InboxResponse>(await site.call('GET', api('library', `/studio/inbox${query}`), s));
const handle = (s: Session, body: unknown) => site.call('POST', api('library', '/studio/inbox/handle'), s, body);
const printing = (i: InboxResponse) => i.groups.find((g) => g.examples.some((e) => e.text.includes('izdrukāt')));

describe('the inbox', () => {
  it("groups the agency's own unanswered questions of the period, with counts, reasons, examples and the closest entry", async () => {
    const box = await inbox(staff);
    expect(box.agency).toEqual({ id: 'library', name: 'Pilsētas bibliotēka' });
    expect([box.days, box.questions, box.open, box.canAct]).toEqual([30, 5, 5, false]);
    const print = printing(box)!;
    expect(print).toMatchObject({ count: 3, reasons: { fallback: 2, 'none-of-these': 1, 'not-helpful': 0 }, language: 'lv', earlier: [] });
    expect(print.examples.map((e) => e.text)).toEqual([
      'Vai drīkst izdrukāt dokumentu bibliotēkā? Mans kods [personas kods]',
      'Kā izdrukāt dokumentu bibliotēkā?',
      'Vai bibliotēkā var izdrukāt dokumentu?',
    ]);
    expect(box.groups[0]).toBe(box.groups.find((g) => g.count === 3)); // largest first
    const card = box.groups.find((g) => g.examples[0]!.text.startsWith('Kā pagarināt'))!;
    expect(card.closest?.id).toMatch(/^library\.(card|renew)$/);
    expect(card.reasons['not-helpful']).toBe(1);
    expect(JSON.stringify(box)).not.toContain('svētdienās'); // the archive's
    expect(JSON.stringify(box)).not.toContain('kafejnīca'); // older than 30 days
    expect((await inbox(staff, '?days=60')).questions).toBe(6);
    expect(box.authorities.map((a) => a.id)).toContain('vid');
    expect(box.entries.map((e) => e.id)).toEqual(expect.arrayContaining(['library.card', 'library.renew']));
    expect(box.entries.map((e) => e.id)).not.toContain('smalltalk.greeting');
  });

  it('refuses a bad period with the one error shape', async () => {
    for (const q of ['?days=0', '?days=367', '?days=abc', '?days=1.5']) {
      const res = await site.call('GET', api('library', `/studio/inbox${q}`), staff);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'BadRequest', field: 'days' } });
    }
  });

  it("staff cannot act on a group; an agency's administrator (an editor) can; every action needs the CSRF header", async () => {
    const print = printing(await inbox(staff))!;
    const body = { key: print.key, through: print.through, action: 'dismiss' };
    const refused = await handle(staff, body);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'Forbidden' } });
    expect((await site.call('POST', api('library', '/studio/impact'), staff, {})).status).toBe(403);
    expect((await handle({ ...editor, csrf: '' }, body)).status).toBe(403);
    expect(printing(await inbox(editor))?.count).toBe(3); // nothing happened
    expect((await inbox(editor)).canAct).toBe(true);
  });

  it('refuses bad actions and a stale group', async () => {
    const print = printing(await inbox(editor))!;
    const ref = { key: print.key, through: print.through };
    const bad = [
      {},
      { ...ref },
      { ...ref, action: 'delete' },
      { ...ref, action: 'authority' },
      { ...ref, action: 'phrasing' },
      { ...ref, action: 'phrasing', entryId: 'Not An Id' },
      { key: 'abc', through: print.through, action: 'dismiss' },
      { ...ref, through: 'yesterday', action: 'dismiss' },
      { ...ref, days: 0, action: 'dismiss' },
    ];
    for (const b of bad) {
      const res = await handle(editor, b);
      expect(res.status, JSON.stringify(b)).toBe(400);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe('BadRequest');
    }
    expect((await handle(editor, { ...ref, action: 'authority', authorityId: 'no-such-authority' })).status).toBe(400);
    // A key no group has (another agency's, or a group gone) and a time before the group: the inbox changed.
    expect((await handle(editor, { key: 'f'.repeat(32), through: print.through, action: 'dismiss' })).status).toBe(409);
    expect((await handle(editor, { key: print.key, through: new Date(site.clock.t - 100 * HOUR).toISOString(), action: 'dismiss' })).status).toBe(409);
    expect(printing(await inbox(editor))?.count).toBe(3);
  });

  it("a group marked as another authority's leaves the inbox and is counted per authority; handled twice is refused", async () => {
    const gift = (await inbox(editor)).groups.find((g) => g.examples[0]!.text.includes('dāvinātas'))!;
    const res = await handle(editor, { key: gift.key, through: gift.through, action: 'authority', authorityId: 'vid' });
    expect(res.status).toBe(200);
    const done = await json<HandleResponse>(res);
    expect(done.handled).toMatchObject({ key: gift.key, action: 'authority', authorityId: 'vid', questions: 1 });
    const after = await inbox(staff);
    expect(after.groups.map((g) => g.key)).not.toContain(gift.key);
    expect(after.open).toBe(4);
    expect(after.handled.byAuthority).toEqual([{ authorityId: 'vid', name: 'Valsts ieņēmumu dienests', groups: 1, questions: 1 }]);
    expect(after.handled.byAction.authority).toBe(1);
    const again = await handle(editor, { key: gift.key, through: gift.through, action: 'dismiss' });
    expect(again.status).toBe(409);
    expect((await json<{ error: { code: string } }>(again)).error.code).toBe('Conflict');
  });

  it('a dismissed group leaves; a new question like it, asked after, brings it back with only itself and what was done before', async () => {
    const print = printing(await inbox(editor))!;
    // A question joins after the editor looked: the action covers what was shown, up to `through`.
    await unanswered('library', 'c7', 'Vai var izdrukāt dokumentu bibliotēkā šodien?', 1);
    const res = await handle(editor, { key: print.key, through: print.through, action: 'dismiss' });
    expect(res.status).toBe(200);
    expect((await json<HandleResponse>(res)).handled.questions).toBe(3);
    const back = printing(await inbox(editor))!;
    expect(back.key).toBe(print.key);
    expect(back.count).toBe(1);
    expect(back.examples.map((e) => e.text)).toEqual(['Vai var izdrukāt dokumentu bibliotēkā šodien?']);
    expect(back.earlier).toEqual([expect.objectContaining({ action: 'dismiss', questions: 3, staffName: 'libadmin Tests' })]);
  });

  it('an editor adds a question as a phrasing of an entry, and starts a new entry from another: drafts in the studio, the groups gone', async () => {
    type EntryView = { draft: { entry: { questions: { lv: string[] } }; origin: { kind: string } } | null };
    const entry = async (id: string) => json<EntryView>(await site.call('GET', api('library', `/studio/entries/${id}`), knowledgeEditor));
    const back = printing(await inbox(knowledgeEditor))!;
    expect((await handle(staff, { key: back.key, through: back.through, action: 'phrasing', entryId: 'library.card' })).status).toBe(403);
    const added = await handle(knowledgeEditor, { key: back.key, through: back.through, action: 'phrasing', entryId: 'library.card' });
    expect(added.status).toBe(200);
    const card = await entry('library.card');
    expect(card.draft?.origin.kind).toBe('inbox');
    expect(card.draft?.entry.questions.lv).toContain('Vai var izdrukāt dokumentu bibliotēkā šodien?');
    expect(printing(await inbox(knowledgeEditor))).toBeUndefined();

    const renew = (await inbox(knowledgeEditor)).groups.find((g) => g.examples.some((e) => e.text.includes('pagarināt')))!;
    const started = await handle(knowledgeEditor, { key: renew.key, through: renew.through, action: 'new-entry', entryId: 'library.renewal' });
    expect(started.status).toBe(200);
    expect((await entry('library.renewal')).draft?.entry.questions.lv).toEqual(['Kā pagarināt lasītāja karti internetā?']);
    expect((await inbox(knowledgeEditor)).groups.some((g) => g.key === renew.key)).toBe(false);
  });
});

describe('what a change would move, over HTTP', () => {
  it("decides the agency's phrasings and recent questions with the editor's unsaved drafts: a phrasing added, an entry removed", async () => {
    const question = 'Vai jūs pieņemat dāvinātas grāmatas?';
    const base = {
      id: 'library.card',
      questions: { lv: ['Kā saņemt lasītāja karti?', 'lasītāja karte', 'Kā pierakstīties bibliotēkā?', question], en: ["How do I get a reader's card?"] },
      keywords: { lv: ['lasītāja karte', 'pierakstīties', 'reģistrēties'], en: ['reader card', 'register'] },
      answer: { lv: 'Lasītāja karti izsniedz uz vietas.', en: 'The card is issued on site.' },
      sources: ['test fixture'],
      owner: 'Lasītāju apkalpošana',
      reviewed: '2026-10-01',
      followUps: ['library.renew'],
    };
    const res = await site.call('POST', api('library', '/studio/impact'), editor, { drafts: [{ entryId: 'library.card', entry: base }] });
    expect(res.status).toBe(200);
    const moved = await json<ImpactResponse>(res);
    const row = moved.changes.find((c) => c.text === question);
    expect(row?.after).toMatchObject({ kind: 'answer', entryId: 'library.card' });
    expect(row?.before.entryId).not.toBe('library.card');
    expect(row?.sources).toEqual(expect.arrayContaining([{ kind: 'recent', reason: 'fallback' }]));
    expect(moved.titles['library.card']).toBe('Kā saņemt lasītāja karti?');

    const removed = await json<ImpactResponse>(
      await site.call('POST', api('library', '/studio/impact'), editor, { drafts: [{ entryId: 'library.renew', remove: true }] }),
    );
    const renew = removed.changes.filter((c) => c.sources.some((s) => s.kind === 'phrasing' && s.entryId === 'library.renew'));
    expect(renew.length).toBeGreaterThan(0);
    for (const c of renew) expect(c.after.entryId).not.toBe('library.renew');
    expect(renew.some((c) => c.before.entryId === 'library.renew')).toBe(true);

    const bad = await site.call('POST', api('library', '/studio/impact'), editor, { drafts: 'all' });
    expect(bad.status).toBe(400);
    // The archive's editor decides the archive's questions, never the library's.
    const archive = await json<ImpactResponse>(
      await site.call('POST', api('archive', '/studio/impact'), arc, { drafts: [{ entryId: 'archive.copies', remove: true }] }),
    );
    expect(JSON.stringify(archive)).not.toContain('library.');
  });
});

describe('"did not help" and "none of these" reach the records the inbox reads', () => {
  let bot: InProcessBot | undefined;
  afterAll(async () => {
    await bot?.close();
  });
  it('once each, for the question they were about', async () => {
    bot = demoBot();
    const { replies } = await bot.say('dati', 'c');
    const none = buttons(replies).at(-1)!;
    await press(bot, none, 'c');
    await press(bot, none, 'c'); // pressed again: recorded once
    const answered = await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c');
    const no = buttons(answered.replies).find((b) => (b.value as { helpful?: boolean }).helpful === false)!;
    await press(bot, no, 'c');
    await press(bot, no, 'c');
    // An older clarifying question's "none of these", after another question was asked: not that question's.
    await press(bot, none, 'c');
    expect((bot.app.records as MemoryRecords).questions.map((q) => [q.reason, q.text])).toEqual([
      ['none-of-these', 'dati'],
      ['not-helpful', 'Kā atsaukt piekrišanu datu apstrādei?'],
    ]);
  });
});
