// Builds the staff side from configuration, the app's store and the agencies served: the
// repository on the same database (memory, SQLite file, or PostgreSQL), a service per agency and
// the one mail outbox. The console is mounted over it by bot/staff/mount.ts (app.ts); the CLI
// calls openHandoverRepository.
import type { Config } from '../config.js';
import { errorFields, type Logger } from '../log.js';
import { loadTexts, type Texts } from '../i18n.js';
import type { AgencyProfile, LanguageCode } from '../../knowledge/schema.js';
import type { PadomsStore } from '../storage/store.js';
import { openDatabase } from '../storage/sqlite.js';
import { PgDatabase } from '../storage/postgres-pool.js';
import { POSTGRES_ADOPT_HANDOVER_TRACK, POSTGRES_MIGRATIONS } from '../storage/migrations.js';
import { CaseOutbox, smtpSender, smtpSettingsFrom, type MailSender } from './mail.js';
import { MemoryHandoverRepository, type HandoverRepository, type RetentionCutoffs } from './repository.js';
import type { StaffHandoverService } from './service.js';
import { SqlHandoverRepository, postgresRunner, sqliteRunner } from './sql-repository.js';
import { StaffSide, type StaffAgencies, type AgencyStaffSide } from './staff-side.js';
import { StaffDirectory } from './staff.js';
import type { HandoverEvent } from './types.js';

export type { HandoverService } from './types.js';
export type { StaffAgencies, AgencyStaffSide } from './staff-side.js';
export { StaffHandoverService } from './service.js';
export { StaffSide } from './staff-side.js';
export { addWorkingDays, createCalendar, nextOpening } from './calendar.js';

type HandoverConfig = Pick<
  Config,
  | 'DATA_DIR'
  | 'LOCALES_DIR'
  | 'DATABASE_URL'
  | 'SMTP_URL'
  | 'SMTP_HOST'
  | 'SMTP_PORT'
  | 'SMTP_USER'
  | 'SMTP_PASS'
  | 'SMTP_FROM'
  | 'AGENCY_MAILBOX'
  | 'COOKIE_SECURE'
  | 'TRUST_PROXY_HOPS'
  | 'STAFF_HOURS'
>;

/**
 * The staff side's repository next to the store: the store's own SQLite connection (the CLI, with
 * no store, opens the file itself), the same PostgreSQL database (its own small pool), or memory.
 */
export function openHandoverRepository(
  store: Pick<PadomsStore, 'kind' | 'sqlite'>,
  config: Pick<Config, 'DATA_DIR' | 'LOCALES_DIR' | 'DATABASE_URL'>,
  log: Logger,
): HandoverRepository {
  switch (store.kind) {
    case 'memory':
      return new MemoryHandoverRepository();
    case 'sqlite':
      return new SqlHandoverRepository(store.sqlite ? sqliteRunner(store.sqlite, { shared: true }) : sqliteRunner(openDatabase(config.DATA_DIR)));
    case 'postgres': {
      if (config.DATABASE_URL === undefined) throw new Error('handover: postgres needs DATABASE_URL');
      const db = new PgDatabase({ url: config.DATABASE_URL, migrations: POSTGRES_MIGRATIONS, adopt: POSTGRES_ADOPT_HANDOVER_TRACK, log, maxConnections: 4 });
      return new SqlHandoverRepository(postgresRunner(db, true));
    }
  }
}

/** What the staff side is built from (createHandover): configuration, the app's store, the agencies, the log. */
export interface StaffSideDeps {
  config: HandoverConfig;
  store: Pick<PadomsStore, 'kind' | 'sqlite' | 'publish' | 'subscribe'>;
  /** The agencies served, read live (a folder may be added or removed while running). */
  agencies: StaffAgencies;
  log: Logger;
  now?: () => Date;
  /** Citizen-facing texts (default: loaded from LOCALES_DIR). */
  texts?: Texts;
  /** Tests: a repository or mail sender of their own. */
  repo?: HandoverRepository;
  mailSender?: MailSender;
  /** Tests: no timers (sweep, outbox); they call sweep() and deliverDue() themselves. */
  timers?: boolean;
}

export interface Handover {
  /** The installation's staff side: a service per agency, and what spans agencies. */
  side: StaffSide;
  /** What a turn of the agency uses: its HandoverService and its staff's languages. */
  forAgency(agency: string): AgencyStaffSide;
  /** The default agency's service (what a single-agency caller, and a test, talks to). */
  readonly service: StaffHandoverService;
  directory: StaffDirectory;
  outbox: CaseOutbox;
  repo: HandoverRepository;
  /** The foreign languages the default agency's staff speak (R3). */
  staffLanguages(): LanguageCode[];
  /** Every agency's citizen events; each carries its agency. */
  subscribe(listener: (event: HandoverEvent) => void): () => void;
  /** Removes a conversation's handover records, whatever its agency (R8). */
  deleteConversation(conversationId: string): Promise<number>;
  /** Removes finished handovers past their agency's retention. */
  purge(cutoffs: RetentionCutoffs): Promise<number>;
  /** Conversations waiting and cases overdue, by agency (for /metrics). */
  countsByAgency(): ReturnType<StaffSide['countsByAgency']>;
  /** A staff message did not reach the citizen, whatever the agency. */
  undelivered(conversationId: string, reason: string): Promise<void>;
  /** Resolves once rows from before agencies are adopted, the offered languages loaded and notifications listened to. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** The registry of an installation with one agency (the CLI's report, tests). */
export function oneAgency(profile: AgencyProfile | (() => AgencyProfile)): StaffAgencies {
  const current = typeof profile === 'function' ? profile : () => profile;
  return {
    ids: () => [current().id],
    profile: (id) => (id === current().id ? current() : undefined),
    get defaultId() {
      return current().id;
    },
  };
}

export function createHandover(deps: StaffSideDeps): Handover {
  const { config, log, agencies } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = deps.repo ?? openHandoverRepository(deps.store, config, log);
  const smtp = smtpSettingsFrom(config);
  const sender = deps.mailSender ?? (smtp ? smtpSender(smtp) : undefined);
  const timers = deps.timers ?? true;
  const outbox = new CaseOutbox({ repo, sender, from: smtp?.from ?? 'Padoms <padoms@localhost>', now, log, schedule: timers });
  const side = new StaffSide({
    repo,
    agencies,
    log,
    now,
    bus: deps.store,
    outbox,
    texts: deps.texts ?? loadTexts(config.LOCALES_DIR),
    ...(config.AGENCY_MAILBOX === undefined ? {} : { defaultMailbox: config.AGENCY_MAILBOX }),
    alwaysOpen: config.STAFF_HOURS === 'always',
    ...(timers ? {} : { sweepIntervalMs: 0 }),
  });
  const directory = new StaffDirectory(repo, {
    now,
    defaultAgency: agencies.defaultId,
    // Memberships name agencies served now (the CLI, with no running registry, checks the folders).
    knownAgencies: () => agencies.ids(),
    changed: () =>
      void side
        .signal({ kind: 'staff' })
        .then(() => side.refreshStaffLanguages())
        .catch(() => undefined),
  });
  if (config.STAFF_HOURS === 'always') log.warn('STAFF_HOURS=always: staff take chats at any hour (for trying it locally, not for citizens)');
  const ready = side.start().catch((err: unknown) => {
    // The database may be down at start: the languages fall back to the profiles until the next sweep.
    log.error({ err: errorFields(err) }, 'start failed');
  });
  return {
    side,
    forAgency: (agency) => side.forAgency(agency),
    get service() {
      return side.service(agencies.defaultId);
    },
    directory,
    outbox,
    repo,
    staffLanguages: () => side.service(agencies.defaultId).staffLanguages(),
    subscribe: (listener) => side.subscribe(listener),
    deleteConversation: (conversationId) => side.deleteConversation(conversationId),
    purge: (cutoffs) => side.purge(cutoffs),
    countsByAgency: () => side.countsByAgency(),
    undelivered: (conversationId, reason) => side.undelivered(conversationId, reason),
    ready,
    async close() {
      await ready;
      await side.stop();
      await repo.close();
    },
  };
}
