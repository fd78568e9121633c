// The knowledge studio's editor and publishing in the real app (createApp, real SQLite, real HTTP
// on loopback; the fixture library and archive): roles (staff read, editors save drafts, publishers
// publish and roll back), drafts checked by kb:check's own code with the entry and field of each
// problem, the preview against the drafts, publishing (the first one seeds the files' entries as
// version 1) after which a citizen's turn over Direct Line answers with the new answer, versions with
// a field-by-field diff, rollback, removal, and the entries list's status and last change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldChange } from '../bot/studio/diff.js';
import type { PreviewResponse, StudioEntriesResponse } from '../bot/staff/routes/studio.js';
import type { Problem } from '../knowledge/load.js';
import { PASSWORD, type Session } from './support/agencies-site.js';
import { startApp, type RunningApp } from './support/app.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';
import { directLine } from './support/postgres.js';

const api = (agency: string, rest: string) => `/staff/api/agencies/${agency}${rest}`;
const OLD_ANSWER = 'Lasītāja karti izsniedz uz vietas, uzrādot personu apliecinošu dokumentu.';
const NEW_ANSWER = 'Lasītāja karti tagad var pieteikt arī tiešsaistē, bibliotēkas mājaslapā.';

let running: RunningApp;
const sessions: Record<string, Session> = {};

beforeAll(async () => {
  running = await startApp({ KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, AGENCY: 'library', AGENCIES: 'library,archive', COOKIE_SECURE: 'false' });
  await running.app.handover.ready;
  const people = [
    ['sta', 'staff'],
    ['edi', 'editor'],
    ['pub', 'publisher'],
  ] as const;
  for (const [login, role] of people) {
    const added = await running.app.handover.directory.add({
      name: `${login} Tests`,
      login,
      languages: ['lv'],
      role: 'staff',
      password: PASSWORD,
      agencies: [{ agency: 'library', role }],
    });
    if (!added.ok) throw new Error(added.message);
    const res = await fetch(`${running.origin}/staff/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: running.origin },
      body: JSON.stringify({ login, password: PASSWORD }),
    });
    sessions[login] = { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }
}, 60_000);
afterAll(async () => {
  await running?.stop();
});

function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', p: string, who: string, body?: unknown): Promise<Response> {
  const s = sessions[who]!;
  const changes = method !== 'GET';
  return fetch(`${running.origin}${p}`, {
    method,
    headers: {
      cookie: s.cookie,
      ...(changes ? { 'x-csrf-token': s.csrf, origin: running.origin, 'content-type': 'application/json' } : {}),
    },
    ...(changes ? { body: JSON.stringify(body ?? {}) } : {}),
  });
}
const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

interface EntryView {
  published: { version: number; entry: Record<string, unknown> } | null;
  latestVersion: number | null;
  fromStore: boolean;
  draft: { entry: Record<string, unknown>; remove: boolean; baseVersion: number | null; author: { name: string } } | null;
  problems: Problem[];
  may: { edit: boolean; publish: boolean };
}
const entryView = async (id: string, who = 'edi') => json<EntryView>(await call('GET', api('library', `/studio/entries/${id}`), who));

/** What the bot answers a citizen over Direct Line, in a conversation of its own. */
async function citizenAsks(text: string): Promise<string> {
  const c = await directLine.start(running.origin);
  const greeting = await directLine.read(running.origin, c);
  expect((await directLine.send(running.origin, c, { type: 'message', text })).status).toBe(200);
  const replies = await directLine.read(running.origin, c, greeting.watermark);
  return replies.activities
    .filter((a) => a.text !== text) // the citizen's own message comes back too
    .map((a) => a.text ?? '')
    .join('\n');
}

const WIFI = {
  id: 'library.wifi',
  questions: { lv: ['Vai bibliotēkā ir bezvadu internets?', 'wifi bibliotēkā'] },
  answer: { lv: 'Jā, bibliotēkā ir bezmaksas bezvadu internets; parole ir pie informācijas galda.' },
  sources: ['test fixture'],
  owner: 'Lasītāju apkalpošana',
  reviewed: '2026-11-01',
};

describe('the studio editor, start to end', () => {
  let card: Record<string, unknown>;

  it("shows an entry as the files publish it (version 1), with what the member may do; an unknown one isn't found", async () => {
    const view = await entryView('library.card', 'sta');
    expect(view).toMatchObject({
      published: { version: 1 },
      latestVersion: 1,
      fromStore: false,
      draft: null,
      problems: [],
      may: { edit: false, publish: false },
    });
    expect((view.published!.entry['answer'] as { lv: string }).lv).toBe(OLD_ANSWER);
    card = view.published!.entry;
    expect((await entryView('library.card', 'pub')).may).toEqual({ edit: true, publish: true });
    expect((await call('GET', api('library', '/studio/entries/library.nothing'), 'sta')).status).toBe(404);
    expect((await call('GET', api('library', '/studio/entries/Not%20An%20Id'), 'sta')).status).toBe(404);
  });

  it("lets editors save drafts (staff may not), and shows kb:check's problems beside their fields", async () => {
    const changed = { ...card, answer: { lv: NEW_ANSWER, en: 'You can apply online.' } };
    expect((await call('PUT', api('library', '/studio/entries/library.card/draft'), 'sta', { entry: changed, baseVersion: 1 })).status).toBe(403);
    // A state change without the CSRF header is refused whoever asks.
    const noCsrf = await fetch(`${running.origin}${api('library', '/studio/entries/library.card/draft')}`, {
      method: 'PUT',
      headers: { cookie: sessions['edi']!.cookie, origin: running.origin, 'content-type': 'application/json' },
      body: JSON.stringify({ entry: changed, baseVersion: 1 }),
    });
    expect(noCsrf.status).toBe(403);

    // Not yet valid: saved all the same, its problems named by field.
    const broken = { ...changed, sources: [], followUps: ['library.nowhere'], reviewed: '1. novembris' };
    const saved = await call('PUT', api('library', '/studio/entries/library.card/draft'), 'edi', { entry: broken, baseVersion: 1 });
    expect(saved.status).toBe(200);
    const { draft } = await json<{ draft: { problems: Problem[] } }>(saved);
    expect(draft.problems.map((p) => [p.entryId, p.field])).toEqual(
      expect.arrayContaining([
        ['library.card', 'sources'],
        ['library.card', 'reviewed'],
      ]),
    );
    expect(draft.problems.every((p) => p.file === 'agencies/library/entries/library.card.yaml')).toBe(true);
    expect((await entryView('library.card')).problems.map((p) => p.field)).toEqual(draft.problems.map((p) => p.field));
    // A draft that cannot be an entry at all is refused; an id in the draft other than the path's is a problem.
    expect((await call('PUT', api('library', '/studio/entries/library.card/draft'), 'edi', { entry: 'teksts', baseVersion: 1 })).status).toBe(400);
    expect((await call('PUT', api('library', '/studio/entries/library.card/draft'), 'edi', { baseVersion: 1 })).status).toBe(400);

    const fixed = await json<{ draft: { problems: Problem[] } }>(
      await call('PUT', api('library', '/studio/entries/library.card/draft'), 'edi', { entry: changed, baseVersion: 1 }),
    );
    expect(fixed.draft.problems).toEqual([]);
    const view = await entryView('library.card');
    expect(view.draft).toMatchObject({ remove: false, baseVersion: 1, author: { name: 'edi Tests' } });
    // Still served as published until it is published.
    expect((view.published!.entry['answer'] as { lv: string }).lv).toBe(OLD_ANSWER);
  });

  it("previews against the drafts with the same decision, and lists each entry's status and last change", async () => {
    expect((await call('PUT', api('library', '/studio/entries/library.wifi/draft'), 'edi', { entry: WIFI, baseVersion: null })).status).toBe(200);
    const ask = (drafts: boolean, who: string) =>
      call('POST', api('library', '/studio/preview'), who, { text: 'Vai bibliotēkā ir bezvadu internets?', drafts });
    const preview = async (drafts: boolean, who = 'edi') => json<PreviewResponse>(await ask(drafts, who));
    expect((await preview(false, 'sta')).decision.entryId).not.toBe('library.wifi');
    expect((await preview(true)).decision).toMatchObject({ kind: 'answer', entryId: 'library.wifi' });
    // Building the drafted knowledge is for those who draft.
    expect((await ask(true, 'sta')).status).toBe(403);

    const list = await json<StudioEntriesResponse>(await call('GET', api('library', '/studio/entries'), 'sta'));
    const byId = Object.fromEntries(list.entries.map((e) => [e.id, e]));
    expect(byId['library.card']).toMatchObject({ status: 'draft', lastChange: { action: 'draft-saved', by: 'edi Tests' } });
    expect(byId['library.wifi']).toMatchObject({ status: 'new', title: 'Vai bibliotēkā ir bezvadu internets?', lastChange: { action: 'draft-saved' } });
    expect(byId['library.renew']).toMatchObject({ status: 'published', lastChange: null });
    const drafts = await json<{ drafts: { entryId: string }[] }>(await call('GET', api('library', '/studio/drafts'), 'sta'));
    expect(drafts.drafts.map((d) => d.entryId)).toEqual(['library.card', 'library.wifi']);
  });

  it('publishes (publishers only): the files are seeded as version 1, and a citizen gets the new answer at once', async () => {
    expect(await citizenAsks('Kā saņemt lasītāja karti?')).toContain(OLD_ANSWER);
    expect((await call('POST', api('library', '/studio/publish'), 'edi', {})).status).toBe(403);
    const published = await call('POST', api('library', '/studio/publish'), 'pub', {});
    expect(published.status).toBe(200);
    expect((await json<{ versions: { entryId: string; version: number }[] }>(published)).versions.map((v) => [v.entryId, v.version])).toEqual([
      ['library.card', 2],
      ['library.wifi', 1],
    ]);
    const answer = await citizenAsks('Kā saņemt lasītāja karti?');
    expect(answer).toContain(NEW_ANSWER);
    expect(answer).not.toContain(OLD_ANSWER);
    expect(await citizenAsks('Vai bibliotēkā ir bezvadu internets?')).toContain('bezmaksas bezvadu internets');
    // The other agency is untouched.
    expect(running.app.agencies.knowledge('archive')!.entries.has('library.wifi')).toBe(false);
    expect((await json<{ drafts: unknown[] }>(await call('GET', api('library', '/studio/drafts'), 'sta'))).drafts).toEqual([]);
    expect((await call('POST', api('library', '/studio/publish'), 'pub', {})).status).toBe(400); // nothing left to publish
    const view = await entryView('library.card');
    expect(view).toMatchObject({ published: { version: 2 }, fromStore: true, draft: null });
    expect(running.app.agencies.servesPublished('library')).toBe(true);
  });

  it('refuses to publish what kb:check would refuse, with the problems per entry and field, writing nothing', async () => {
    const renew = (await entryView('library.renew')).published!.entry;
    await call('PUT', api('library', '/studio/entries/library.renew/draft'), 'edi', { entry: { ...renew, followUps: ['library.gone'] }, baseVersion: 1 });
    const refused = await call('POST', api('library', '/studio/publish'), 'pub', { ids: ['library.renew'] });
    expect(refused.status).toBe(422);
    const body = await json<{ error: { code: string }; problems: Problem[] }>(refused);
    expect(body.error.code).toBe('BadRequest');
    expect(body.problems).toEqual([expect.objectContaining({ severity: 'error', entryId: 'library.renew', field: 'followUps.0' })]);
    expect((await entryView('library.renew')).published!.version).toBe(1);
    expect((await call('DELETE', api('library', '/studio/entries/library.renew/draft'), 'sta')).status).toBe(403);
    expect((await call('DELETE', api('library', '/studio/entries/library.renew/draft'), 'edi')).status).toBe(200);
    expect((await call('DELETE', api('library', '/studio/entries/library.renew/draft'), 'edi')).status).toBe(404);
  });

  it('lists versions with who and when, diffs them field by field, and rolls back (publishers only) to a new version', async () => {
    const { versions } = await json<{ versions: { version: number; by: string; removed: boolean }[] }>(
      await call('GET', api('library', '/studio/entries/library.card/versions'), 'sta'),
    );
    expect(versions.map((v) => [v.version, v.by, v.removed])).toEqual([
      [1, 'files', false],
      [2, 'pub Tests', false],
    ]);
    const { changes } = await json<{ changes: FieldChange[] }>(await call('GET', api('library', '/studio/entries/library.card/diff?from=1&to=2'), 'sta'));
    expect(changes).toEqual([
      { field: 'answer.lv', change: 'value', from: OLD_ANSWER, to: NEW_ANSWER },
      { field: 'answer.en', change: 'value', from: "The reader's card is issued on site on showing an identity document.", to: 'You can apply online.' },
    ]);
    expect((await call('GET', api('library', '/studio/entries/library.card/diff?from=1&to=9'), 'sta')).status).toBe(404);
    expect((await call('GET', api('library', '/studio/entries/library.card/diff?from=x&to=2'), 'sta')).status).toBe(400);

    expect((await call('POST', api('library', '/studio/entries/library.card/rollback'), 'edi', { version: 1 })).status).toBe(403);
    const rolled = await call('POST', api('library', '/studio/entries/library.card/rollback'), 'pub', { version: 1 });
    expect(rolled.status).toBe(200);
    expect((await json<{ versions: { version: number }[] }>(rolled)).versions.map((v) => v.version)).toEqual([3]);
    expect(await citizenAsks('Kā saņemt lasītāja karti?')).toContain(OLD_ANSWER);
    const diff = await json<{ changes: FieldChange[] }>(await call('GET', api('library', '/studio/entries/library.card/diff?from=1&to=3'), 'sta'));
    expect(diff.changes).toEqual([]);
    expect((await call('POST', api('library', '/studio/entries/library.card/rollback'), 'pub', { version: 7 })).status).toBe(404);

    // A draft started from version 2, which the rollback has replaced: publishing it would undo the rollback unseen.
    await call('PUT', api('library', '/studio/entries/library.card/draft'), 'edi', { entry: { ...card, owner: 'Cits' }, baseVersion: 2 });
    const stale = await call('POST', api('library', '/studio/publish'), 'pub', {});
    expect(stale.status).toBe(409);
    expect(await json<{ error: { code: string }; entryIds: string[] }>(stale)).toMatchObject({ error: { code: 'Conflict' }, entryIds: ['library.card'] });
    expect((await entryView('library.card')).published!.version).toBe(3);
    expect((await call('DELETE', api('library', '/studio/entries/library.card/draft'), 'edi')).status).toBe(200);
  });

  it('removes an entry through a draft, and the phrasings added and removed show in the diff', async () => {
    const wifi = (await entryView('library.wifi')).published!.entry;
    const more = { ...wifi, questions: { lv: ['Vai bibliotēkā ir bezvadu internets?', 'Kā pieslēgties bibliotēkas wifi?'] } };
    await call('PUT', api('library', '/studio/entries/library.wifi/draft'), 'edi', { entry: more, baseVersion: 1 });
    const { changes } = await json<{ changes: FieldChange[] }>(await call('GET', api('library', '/studio/entries/library.wifi/diff?from=1&to=draft'), 'sta'));
    expect(changes).toEqual([{ field: 'questions.lv', change: 'list', added: ['Kā pieslēgties bibliotēkas wifi?'], removed: ['wifi bibliotēkā'] }]);

    await call('PUT', api('library', '/studio/entries/library.wifi/draft'), 'edi', { remove: true, baseVersion: 1 });
    const list = await json<StudioEntriesResponse>(await call('GET', api('library', '/studio/entries'), 'sta'));
    expect(list.entries.find((e) => e.id === 'library.wifi')?.status).toBe('to-be-removed');
    expect((await call('POST', api('library', '/studio/publish'), 'pub', { ids: ['library.wifi'] })).status).toBe(200);
    expect(running.app.agencies.knowledge('library')!.entries.has('library.wifi')).toBe(false);
    expect(await citizenAsks('Vai bibliotēkā ir bezvadu internets?')).not.toContain('bezmaksas bezvadu internets');
    expect((await entryView('library.card')).published!.version).toBe(3);
    // A removed entry's versions stay, the last one a removal.
    const { versions } = await json<{ versions: { removed: boolean }[] }>(await call('GET', api('library', '/studio/entries/library.wifi/versions'), 'sta'));
    expect(versions.map((v) => v.removed)).toEqual([false, true]);
  });
});

describe("the editor's guards", () => {
  const put = (id: string, body: unknown) => call('PUT', api('library', `/studio/entries/${id}/draft`), 'edi', body);

  it('refuses a "new" entry under an id that exists, with a conflict on the id field', async () => {
    const res = await put('library.card', { entry: { ...WIFI, id: 'library.card' }, baseVersion: null });
    expect(res.status).toBe(409);
    expect((await json<{ error: { code: string; field?: string } }>(res)).error).toMatchObject({ code: 'Conflict', field: 'id' });
    expect((await entryView('library.card')).draft).toBeNull();
  });

  it("refuses a save that began before another editor's, and keeps theirs", async () => {
    const view = await entryView('library.card');
    const base = { ...view.published!.entry };
    const first = await put('library.card', { entry: { ...base, owner: 'Pirmā' }, baseVersion: view.latestVersion, draftSavedAt: null });
    expect(first.status).toBe(200);
    const second = await put('library.card', { entry: { ...base, owner: 'Otrā' }, baseVersion: view.latestVersion, draftSavedAt: null });
    expect(second.status).toBe(409);
    const now = await entryView('library.card');
    expect(now.draft?.entry['owner']).toBe('Pirmā');
    const savedAt = (now.draft as unknown as { updatedAt: string }).updatedAt;
    expect((await put('library.card', { entry: { ...base, owner: 'Trešā' }, baseVersion: view.latestVersion, draftSavedAt: savedAt })).status).toBe(200);
    expect((await call('DELETE', api('library', '/studio/entries/library.card/draft'), 'edi')).status).toBe(200);
  });

  it('an entry nested too deep for JSON is a bad request, not a server error', async () => {
    const deep = `${'['.repeat(20_000)}"x"${']'.repeat(20_000)}`;
    const body = `{"entry":{"id":"library.deep","x":${deep}},"baseVersion":null}`;
    const s = sessions['edi']!;
    const res = await fetch(`${running.origin}${api('library', '/studio/entries/library.deep/draft')}`, {
      method: 'PUT',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: running.origin, 'content-type': 'application/json' },
      body,
    });
    expect([400, 413]).toContain(res.status);
    expect((await fetch(`${running.origin}/healthz`)).status).toBe(200);
  });
});
