// The studio's import route (bot/staff/routes/studio-import.ts) over HTTP on loopback, on the two
// fixture agencies with a real SQLite store and the real console: the refusals that need no drafts
// store — no session, no CSRF header, a member of another agency, a member without the editor
// role, an agency not served, a JSON or a multipart body, no file name, a file over the limit
// (announced, and chunked without a length), a bad file (its problems in the body) — none of which
// reaches the drafts store, and none of which puts the file's text or name into the log. The
// success path (drafts saved, all or none) is tested once the studio's real KnowledgeDrafts is
// wired in: every method of the store given here fails the test if it is called.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../bot/config.js';
import { createHandover } from '../bot/handover/index.js';
import type { StaffMember } from '../bot/handover/repository.js';
import { silentLogger } from '../bot/log.js';
import { createServer } from '../bot/server.js';
import { mountHandoverConsole, type MountedHandover } from '../bot/staff/mount.js';
import { mountStudioImport, STUDIO_IMPORT_UPLOAD, type ImportRefusal } from '../bot/staff/routes/studio-import.js';
import type { KnowledgeDrafts } from '../bot/studio/drafts.js';
import { MAX_IMPORT_BYTES } from '../bot/studio/import/index.js';
import { openSqliteStore } from '../bot/storage/sqlite.js';
import type { PadomsStore } from '../bot/storage/store.js';
import { KnowledgeSource } from '../knowledge/source.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';
import { PASSWORD, type Session } from './support/agencies-site.js';

/** The refusals must never reach the store: any call fails the test. */
const untouchedDrafts: KnowledgeDrafts = new Proxy({} as KnowledgeDrafts, {
  get: (_target, method) => () => Promise.reject(new Error(`the drafts store was reached (${String(method)})`)),
});

const SECRET_TEXT = 'Slepenais-jautājums-7f3a';
const SECRET_NAME = 'Personas-kods-010101-12345.csv';

describe('POST /staff/api/agencies/:agency/studio/import: refusals', () => {
  let origin = '';
  let dataDir = '';
  let store: PadomsStore;
  let handover: MountedHandover;
  let server: ReturnType<typeof createServer>;
  const logged: string[] = [];
  const sessions: Record<string, Session> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-import-'));
    const now = () => new Date('2026-11-16T11:30:00Z');
    const config = testConfig({ DATA_DIR: dataDir, KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, AGENCY: 'library', COOKIE_SECURE: 'false' });
    const knowledge = new Map(
      ['library', 'archive'].map((a) => [a, new KnowledgeSource({ knowledgeDir: FIXTURE_KNOWLEDGE, agency: a, now }, silentLogger)] as const),
    );
    store = openSqliteStore({ dataDir, now, defaultAgency: 'library' });
    const agencies = { ids: () => [...knowledge.keys()], profile: (id: string) => knowledge.get(id)?.current.profile, defaultId: 'library' };
    server = createServer({ maxBodyBytes: config.MAX_BODY_BYTES, log: silentLogger, uploads: [STUDIO_IMPORT_UPLOAD] });
    const side = createHandover({ config, store, agencies, log: silentLogger, now, mailSender: { send: async () => {}, close: () => {} }, timers: false });
    handover = mountHandoverConsole(server, side, { config, log: silentLogger });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString('utf8'));
        done();
      },
    });
    mountStudioImport(handover.console.api, { drafts: untouchedDrafts, knowledge: (a) => knowledge.get(a)?.current, now, log: pino({ level: 'debug' }, sink) });
    await handover.ready;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const members: [string, StaffMember['agencies']][] = [
      ['libstaff', [{ agency: 'library', role: 'staff' }]],
      ['libadmin', [{ agency: 'library', role: 'admin' }]],
      ['arcadmin', [{ agency: 'archive', role: 'admin' }]],
    ];
    for (const [login, memberships] of members) {
      const added = await handover.directory.add({
        name: `${login} Tests`,
        login,
        languages: ['lv'],
        role: 'staff',
        password: PASSWORD,
        agencies: memberships,
      });
      if (!added.ok) throw new Error(added.message);
      const res = await fetch(`${origin}/staff/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ login, password: PASSWORD }),
      });
      const body = (await res.json()) as { csrfToken: string };
      sessions[login] = { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: body.csrfToken };
    }
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await handover?.close();
    await store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const send = (
    agency: string,
    body: RequestInit['body'],
    options: { session?: Session | undefined; csrf?: boolean; type?: string; name?: string | null; duplex?: boolean } = {},
  ): Promise<Response> => {
    const s = options.session;
    const headers: Record<string, string> = { origin, 'content-type': options.type ?? 'application/octet-stream' };
    if (s) headers['cookie'] = s.cookie;
    if (s && options.csrf !== false) headers['x-csrf-token'] = s.csrf;
    if (options.name !== null) headers['x-file-name'] = encodeURIComponent(options.name ?? SECRET_NAME);
    return fetch(`${origin}/staff/api/agencies/${agency}/studio/import`, {
      method: 'POST',
      headers,
      body,
      ...(options.duplex ? { duplex: 'half' } : {}),
    } as RequestInit);
  };
  const csv = Buffer.from(`Jautājums,Atbilde\n${SECRET_TEXT}?,\n`);
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  it('refuses without a session, without the CSRF header, and a cross-site request', async () => {
    expect((await send('library', csv)).status).toBe(401);
    const noCsrf = await send('library', csv, { session: sessions['libadmin'], csrf: false });
    expect(noCsrf.status).toBe(403);
    expect((await errorOf(noCsrf)).message).toMatch(/CSRF/);
  });

  it('refuses a member of another agency and a member without the editor role, before reading the file', async () => {
    const other = await send('library', csv, { session: sessions['arcadmin'] });
    expect(other.status).toBe(403);
    expect((await errorOf(other)).message).toBe('jūs nestrādājat šajā iestādē');
    const staff = await send('library', csv, { session: sessions['libstaff'] });
    expect(staff.status).toBe(403);
    expect((await errorOf(staff)).message).toMatch(/redaktors/);
    expect((await send('nowhere', csv, { session: sessions['libadmin'] })).status).toBe(404);
  });

  it('refuses a JSON or multipart body and a request without the file name', async () => {
    const json = await send('library', JSON.stringify({ file: 'x' }), { session: sessions['libadmin'], type: 'application/json' });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append('file', new Blob([csv]), 'faq.csv');
    const multipart = await fetch(`${origin}/staff/api/agencies/library/studio/import`, {
      method: 'POST',
      headers: { origin, cookie: sessions['libadmin']!.cookie, 'x-csrf-token': sessions['libadmin']!.csrf },
      body: form,
    });
    expect(multipart.status).toBe(415);
    const nameless = await send('library', csv, { session: sessions['libadmin'], name: null });
    expect(nameless.status).toBe(400);
    expect((await errorOf(nameless)).code).toBe('MissingProperty');
  });

  it('refuses a file over the limit, announced or chunked without a length', async () => {
    const big = Buffer.alloc(MAX_IMPORT_BYTES + 1, 'a');
    const announced = await send('library', big, { session: sessions['libadmin'] });
    expect(announced.status).toBe(413);
    // A stream body goes chunked: the route counts the bytes as they come.
    const chunks = function* () {
      for (let sent = 0; sent <= MAX_IMPORT_BYTES; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 'b');
    };
    const chunked = await send('library', Readable.toWeb(Readable.from(chunks())) as ReadableStream, { session: sessions['libadmin'], duplex: true }).catch(
      (err: unknown) => err,
    );
    // The server answers 413 and closes; the client may see the answer or the closed connection.
    if (chunked instanceof Response) expect(chunked.status).toBe(413);
    else expect(chunked).toBeInstanceOf(Error);
  });

  it('refuses a bad file with its problems, each naming the row, and saves nothing', async () => {
    const res = await send('library', csv, { session: sessions['libadmin'] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ImportRefusal;
    expect(body.error).toEqual({ code: 'BadRequest', message: 'failu nevar importēt', field: 'file' });
    expect(body.problems).toEqual([{ where: 'row 2', message: expect.stringMatching(/^2\. rinda: ir jautājums, bet nav atbildes/) }]);
    const empty = await send('library', Buffer.alloc(0), { session: sessions['libadmin'] });
    expect(((await empty.json()) as ImportRefusal).problems[0]!.message).toBe('Fails ir tukšs.');
  });

  it('puts neither the file’s text nor its name into the log', () => {
    const all = logged.join('');
    expect(all).not.toContain(SECRET_TEXT);
    expect(all).not.toContain('Personas-kods');
  });

  it('serves the page’s import script', async () => {
    const res = await fetch(`${origin}/staff/studio-import.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await res.text()).toContain('studio/import');
  });
});
