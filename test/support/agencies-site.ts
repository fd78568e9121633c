// The staff console of an installation serving the two fixture agencies (library, archive), on
// loopback with real HTTP, a real SQLite store and the real console routes, mounted the way app.ts
// mounts them: createHandover over a live registry of agencies (one can be removed while running),
// mountHandoverConsole, mountStaffReports, mountStaffStudio and mountStudioInbox (deciding with the
// real language and conduct tools over each agency's knowledge, as a turn does), and the studio's
// editor over the store's SQLite connection (a publish rebuilds the agency's knowledge, as the
// registry does). The staff side alone, with a registry the test controls
// (an agency taken away at once, a mail sender that keeps what it is given, no timers).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConversationAccount } from 'botbuilder';
import { testConfig } from '../../bot/config.js';
import { createHandover } from '../../bot/handover/index.js';
import type { MailSender } from '../../bot/handover/mail.js';
import type { StaffMember } from '../../bot/handover/repository.js';
import type { StaffAgencies } from '../../bot/handover/staff-side.js';
import type { HandoverEvent, HandoverRequest } from '../../bot/handover/types.js';
import { silentLogger } from '../../bot/log.js';
import { createServer } from '../../bot/server.js';
import { mountHandoverConsole, type MountedHandover } from '../../bot/staff/mount.js';
import { mountStaffReports } from '../../bot/staff/routes/reports.js';
import { mountStaffStudio } from '../../bot/staff/routes/studio.js';
import { mountStudioInbox } from '../../bot/staff/routes/studio-inbox.js';
import { openInboxHandled, type InboxHandled } from '../../bot/studio/inbox-handled.js';
import type { DecisionContext } from '../../knowledge/decide.js';
import { detectLanguage } from '../../bot/language/detect.js';
import { requestedLanguage } from '../../bot/language/request.js';
import { loadConductTools } from '../../knowledge/conduct-tools.js';
import { openSqliteStore } from '../../bot/storage/sqlite.js';
import type { PadomsStore } from '../../bot/storage/store.js';
import { KnowledgeSource } from '../../knowledge/source.js';
import type { NamedEntry } from '../../knowledge/load.js';
import { loadSharedFiles } from '../../knowledge/load.js';
import { buildKnowledge } from '../../knowledge/knowledge.js';
import { sqliteRunner } from '../../bot/handover/sql-repository.js';
import { entryStatuses, mountStudioEditor } from '../../bot/staff/routes/studio-editor.js';
import { mountStudioImport, STUDIO_IMPORT_UPLOAD } from '../../bot/staff/routes/studio-import.js';
import { StudioPublishing } from '../../bot/studio/publishing.js';
import { SqlKnowledgeStore } from '../../bot/studio/store.js';
import type { LanguageCode } from '../../knowledge/schema.js';
import { FIXTURE_KNOWLEDGE } from './bot.js';
import { readConsoleEvents, type ConsoleEvent } from './console-events.js';

export const PASSWORD = 'correct horse battery staple';

export interface Session {
  cookie: string;
  csrf: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface AgenciesSite {
  origin: string;
  handover: MountedHandover;
  store: PadomsStore;
  /** The studio inbox's handled groups (the store's SQLite connection). */
  inboxHandled: InboxHandled;
  /** Every agency's citizen events. */
  events: HandoverEvent[];
  /** Mail handed to the sender. */
  sent: Parameters<MailSender['send']>[0][];
  clock: { t: number };
  /** The agencies served now: delete one to take its folder away while running. */
  served: Set<string>;
  staff(login: string, languages: LanguageCode[], agencies: StaffMember['agencies'], role?: StaffMember['role']): Promise<StaffMember>;
  login(login: string): Promise<Session>;
  call(method: HttpMethod, p: string, s?: Session, body?: unknown): Promise<Response>;
  /** The studio's publishing over the site's store. */
  studio: StudioPublishing;
  stop(): Promise<void>;
}

/** Monday 16 November 2026, 13:30 in Riga: both fixture agencies are open. */
export const MONDAY_IN_HOURS = Date.parse('2026-11-16T11:30:00Z');

/**
 * A copy of the fixture knowledge in a temporary folder with some entries' `reviewed` changed
 * (`{ 'library/library.renew': '2025-01-15' }`): entries past their review date without touching
 * the fixtures. The caller removes it.
 */
export function knowledgeReviewedOn(reviewed: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'padoms-knowledge-'));
  cpSync(FIXTURE_KNOWLEDGE, dir, { recursive: true });
  for (const [where, day] of Object.entries(reviewed)) {
    const [agency, entry] = where.split('/') as [string, string];
    const file = path.join(dir, 'agencies', agency, 'entries', `${entry}.yaml`);
    const text = readFileSync(file, 'utf8');
    if (!/^reviewed: .*$/m.test(text)) throw new Error(`${where}: no reviewed line`);
    writeFileSync(file, text.replace(/^reviewed: .*$/m, `reviewed: ${day}`));
  }
  return dir;
}

export async function startAgenciesSite(options: { mailbox?: string; knowledgeDir?: string } = {}): Promise<AgenciesSite> {
  const knowledgeDir = options.knowledgeDir ?? FIXTURE_KNOWLEDGE;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-agencies-'));
  const clock = { t: MONDAY_IN_HOURS };
  const now = () => new Date(clock.t);
  const config = testConfig({
    DATA_DIR: dataDir,
    KNOWLEDGE_DIR: knowledgeDir,
    AGENCY: 'library',
    COOKIE_SECURE: 'false',
    ...(options.mailbox ? { AGENCY_MAILBOX: options.mailbox } : {}),
  });
  const published = new Map<string, readonly NamedEntry[]>();
  const knowledge = new Map(
    ['library', 'archive'].map(
      (agency) => [agency, new KnowledgeSource({ knowledgeDir, agency, now, published: () => published.get(agency) }, silentLogger)] as const,
    ),
  );
  const served = new Set(knowledge.keys());
  const agencies: StaffAgencies = {
    ids: () => [...served],
    profile: (id) => (served.has(id) ? knowledge.get(id)?.current.profile : undefined),
    defaultId: 'library',
  };
  const store = openSqliteStore({ dataDir, now, defaultAgency: 'library' });
  const sent: Parameters<MailSender['send']>[0][] = [];
  const mailSender: MailSender = { send: async (m) => void sent.push(m), close: () => {} };
  const server = createServer({ maxBodyBytes: config.MAX_BODY_BYTES, log: silentLogger, uploads: [STUDIO_IMPORT_UPLOAD] });
  const staffSide = createHandover({ config, store, agencies, log: silentLogger, now, mailSender, timers: false });
  // A quick heartbeat: a stream learns soon that its member no longer serves the agency.
  const handover = mountHandoverConsole(server, staffSide, { config, log: silentLogger, heartbeatMs: 200 });
  mountStaffReports(server, {
    authenticate: handover.console.authenticate,
    records: (agency) => store.recordsOf(agency),
    repo: handover.repo,
    knowledge: (id) => (served.has(id) ? knowledge.get(id)?.current : undefined),
    now,
    log: silentLogger,
  });
  const conduct = loadConductTools(knowledgeDir);
  const current = (id: string) => (served.has(id) ? knowledge.get(id)?.current : undefined);
  const knowledgeStore = new SqlKnowledgeStore(sqliteRunner(store.sqlite!, { shared: true }));
  const shared = loadSharedFiles(knowledgeDir);
  const studio = new StudioPublishing({
    store: knowledgeStore,
    knowledgeDir,
    sharedFiles: () => shared,
    serve: (agency, entries) => {
      if (entries === undefined) published.delete(agency);
      else published.set(agency, entries);
      knowledge.get(agency)?.reload();
    },
    announce: async () => {},
    now,
  });
  mountStudioEditor(handover.console.api, { store: knowledgeStore, publishing: studio, profile: (id) => current(id)?.profile, now, log: silentLogger });
  mountStudioImport(handover.console.api, { drafts: knowledgeStore, knowledge: current, now, log: silentLogger });
  const decisionContext = (agency: string, conversationLanguage: LanguageCode): DecisionContext | undefined => {
    const agencyKnowledge = current(agency);
    return (
      agencyKnowledge && {
        knowledge: agencyKnowledge,
        offeredLanguages: handover.forAgency(agency).staffLanguages(),
        conversationLanguage,
        detectLanguage,
        requestedLanguage,
        ...conduct,
      }
    );
  };
  mountStaffStudio(handover.console.api, {
    editorial: {
      statuses: (agency, servedIds) => entryStatuses(knowledgeStore, agency, servedIds),
      withDrafts: async (agency) => {
        const result = await studio.withDrafts(agency);
        return result.ok ? { ok: true, knowledge: buildKnowledge(result.files) } : { ok: false, problems: result.problems };
      },
    },
    knowledge: current,
    records: (agency) => store.recordsOf(agency),
    decisionContext,
    now,
    log: silentLogger,
  });
  const inboxHandled = openInboxHandled(store, config, silentLogger);
  mountStudioInbox(handover.console.api, {
    knowledge: current,
    records: (agency) => store.recordsOf(agency),
    handled: inboxHandled,
    drafts: knowledgeStore,
    published: async (agency, entryId) => (await studio.published(agency)).entries.get(entryId),
    decisionContext,
    labelledSets: () => [],
    now,
    log: silentLogger,
  });
  await handover.ready;
  const events: HandoverEvent[] = [];
  handover.subscribe((e) => events.push(e));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call = (method: HttpMethod, p: string, s?: Session, body?: unknown): Promise<Response> => {
    const changes = method !== 'GET';
    return fetch(`${origin}${p}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(s ? { cookie: s.cookie } : {}),
        ...(s && changes ? { 'x-csrf-token': s.csrf, origin } : {}),
        ...(changes ? { 'content-type': 'application/json' } : {}),
      },
      ...(changes ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  };

  return {
    origin,
    handover,
    store,
    inboxHandled,
    events,
    sent,
    clock,
    served,
    async staff(login, languages, memberships, role = 'staff') {
      const added = await handover.directory.add({ name: `${login} Tests`, login, languages, role, password: PASSWORD, agencies: memberships });
      if (!added.ok) throw new Error(added.message);
      return added.value;
    },
    async login(login) {
      const res = await fetch(`${origin}/staff/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ login, password: PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login ${login}: ${res.status}`);
      const body = (await res.json()) as { csrfToken: string };
      return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: body.csrfToken };
    },
    call,
    studio,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handover.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A citizen's handover request in a conversation of its own. */
export function handoverRequest(conversationId: string, text: string, language: LanguageCode = 'lv'): HandoverRequest {
  return {
    conversationId,
    channel: 'directline',
    language,
    reason: 'asked',
    reference: { channelId: 'directline', conversation: { id: conversationId } as ConversationAccount, serviceUrl: 'http://127.0.0.1' },
    transcript: [{ type: 'message', from: { id: 'u', name: '', role: 'user' }, text, timestamp: new Date(MONDAY_IN_HOURS) }],
  };
}

/** Reads an agency's server-sent events while `during` runs, until `until` holds or the time is up. */
export function readEvents(
  site: AgenciesSite,
  agency: string,
  s: Session,
  until: (events: ConsoleEvent[]) => boolean,
  during: () => Promise<void> = async () => {},
  ms = 5_000,
): Promise<ConsoleEvent[]> {
  return readConsoleEvents(`${site.origin}/staff/api/agencies/${agency}/events`, s.cookie, until, during, ms);
}
