// Builds the staff side from configuration and the app's store: the repository on the same
// database (memory, SQLite file, or PostgreSQL), the service and the mail outbox. The console is
// mounted over it by bot/staff/mount.ts (app.ts); the CLI calls openHandoverRepository.
import type { Config } from '../config.js';
import { errorFields, type Logger } from '../log.js';
import { loadTexts, type Texts } from '../i18n.js';
import type { AgencyProfile, LanguageCode } from '../../knowledge/schema.js';
import type { PadomsStore } from '../storage/store.js';
import { openDatabase } from '../storage/sqlite.js';
import { PgDatabase } from '../storage/postgres-pool.js';
import { POSTGRES_ADOPT_HANDOVER_TRACK, POSTGRES_MIGRATIONS } from '../storage/migrations.js';
import { CaseOutbox, smtpSender, smtpSettingsFrom, type MailSender } from './mail.js';
import { MemoryHandoverRepository, type HandoverRepository } from './repository.js';
import { StaffHandoverService } from './service.js';
import { SqlHandoverRepository, postgresRunner, sqliteRunner } from './sql-repository.js';
import { StaffDirectory } from './staff.js';

export type { HandoverService } from './types.js';
export { StaffHandoverService } from './service.js';
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

/** What the staff side is built from (createHandover): configuration, the app's store, the profile, the log. */
export interface StaffSideDeps {
  config: HandoverConfig;
  store: Pick<PadomsStore, 'kind' | 'sqlite' | 'publish' | 'subscribe'>;
  profile: () => AgencyProfile;
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
  service: StaffHandoverService;
  directory: StaffDirectory;
  outbox: CaseOutbox;
  repo: HandoverRepository;
  /** The foreign languages staff speak (R3), for the dialog side's offeredLanguages. */
  staffLanguages(): LanguageCode[];
  /** Resolves once the offered languages are loaded and notifications are listened to. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function createHandover(deps: StaffSideDeps): Handover {
  const { config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = deps.repo ?? openHandoverRepository(deps.store, config, log);
  const smtp = smtpSettingsFrom(config);
  const sender = deps.mailSender ?? (smtp ? smtpSender(smtp) : undefined);
  const timers = deps.timers ?? true;
  const outbox = new CaseOutbox({ repo, sender, from: smtp?.from ?? 'Padoms <padoms@localhost>', now, log, schedule: timers });
  const service = new StaffHandoverService({
    repo,
    profile: deps.profile,
    log,
    now,
    bus: deps.store,
    outbox,
    texts: deps.texts ?? loadTexts(config.LOCALES_DIR),
    mailbox: () => config.AGENCY_MAILBOX,
    alwaysOpen: config.STAFF_HOURS === 'always',
    ...(timers ? {} : { sweepIntervalMs: 0 }),
  });
  const directory = new StaffDirectory(
    repo,
    now,
    () =>
      void service
        .signal({ kind: 'staff' })
        .then(() => service.refreshStaffLanguages())
        .catch(() => undefined),
  );
  if (config.STAFF_HOURS === 'always') log.warn('STAFF_HOURS=always: staff take chats at any hour (for trying it locally, not for citizens)');
  const ready = service.start().catch((err: unknown) => {
    // The database may be down at start: the languages fall back to the profile until the next sweep.
    log.error({ err: errorFields(err) }, 'start failed');
  });
  return {
    service,
    directory,
    outbox,
    repo,
    staffLanguages: () => service.staffLanguages(),
    ready,
    async close() {
      await ready;
      await service.stop();
      await repo.close();
    },
  };
}
