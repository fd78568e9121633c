// The schema of every table, for SQLite and PostgreSQL, as one list: the store's tables, Direct
// Line's and the staff side's. Each database records the versions it has applied in one table,
// schema_migrations. Applied in order, once each; never edit one that has shipped, add the next.
// Where the dialects differ (column types, serial keys) a step carries both; where PostgreSQL
// began with the end state of SQLite's first three steps, its versions 2 and 3 are empty.

export interface Migration {
  /** What the step changes, for the log and the reader. */
  about: string;
  sqlite: string;
  postgres: string;
}

/** The staff side's tables; `serial` is the dialect's auto-increment key. */
const handoverTables = (serial: string) =>
  `CREATE TABLE handover_tickets (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, channel TEXT NOT NULL, language TEXT NOT NULL,
     reason TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, queued_at TEXT, accepted_at TEXT, staff_id TEXT, staff_name TEXT,
     closed_at TEXT, reference TEXT, last_position INTEGER, updated_at TEXT NOT NULL, version INTEGER NOT NULL);
   CREATE INDEX handover_tickets_conversation ON handover_tickets(conversation_id, state);
   CREATE INDEX handover_tickets_state ON handover_tickets(state);
   CREATE INDEX handover_tickets_closed ON handover_tickets(closed_at);
   CREATE TABLE handover_lines (id ${serial}, conversation_id TEXT NOT NULL, ticket_id TEXT,
     case_id TEXT REFERENCES cases(id) ON DELETE CASCADE, at TEXT NOT NULL, author TEXT NOT NULL, author_name TEXT, text TEXT NOT NULL);
   CREATE INDEX handover_lines_ticket ON handover_lines(ticket_id);
   CREATE INDEX handover_lines_case ON handover_lines(case_id);
   CREATE INDEX handover_lines_conversation ON handover_lines(conversation_id);
   CREATE TABLE handover_notes (id ${serial}, conversation_id TEXT NOT NULL, ticket_id TEXT,
     case_id TEXT REFERENCES cases(id) ON DELETE CASCADE, staff_id TEXT NOT NULL, staff_name TEXT NOT NULL, at TEXT NOT NULL, text TEXT NOT NULL);
   CREATE INDEX handover_notes_ticket ON handover_notes(ticket_id);
   CREATE INDEX handover_notes_case ON handover_notes(case_id);
   CREATE INDEX handover_notes_conversation ON handover_notes(conversation_id);
   CREATE TABLE handover_outbox (id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE, recipient TEXT NOT NULL,
     subject TEXT NOT NULL, text_body TEXT NOT NULL, html_body TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at TEXT NOT NULL, sent_at TEXT, last_error TEXT, cancelled_at TEXT);
   CREATE INDEX handover_outbox_due ON handover_outbox(next_attempt_at);
   CREATE INDEX handover_outbox_case ON handover_outbox(case_id);
   CREATE TABLE handover_presence (staff_id TEXT PRIMARY KEY REFERENCES staff_accounts(id) ON DELETE CASCADE, status TEXT NOT NULL,
     last_seen_at TEXT NOT NULL);`;

const CITIZEN_REPLIES = `ALTER TABLE handover_outbox ADD COLUMN purpose TEXT NOT NULL DEFAULT 'agency';
   ALTER TABLE handover_outbox ADD COLUMN reply_to TEXT;
   ALTER TABLE handover_outbox ADD COLUMN staff_id TEXT;
   ALTER TABLE handover_outbox ADD COLUMN rejected_at TEXT;`;

const ONE_RECORD = `ALTER TABLE transcripts ADD COLUMN watermark INTEGER;
   ALTER TABLE transcripts ADD COLUMN delivery_only INTEGER NOT NULL DEFAULT 0;
   INSERT INTO transcripts (channel_id, conversation_id, activity_id, at, activity, watermark, delivery_only)
     SELECT 'directline', conversation_id, activity ->> 'id', at, activity, watermark, 1 FROM dl_activities ORDER BY conversation_id, watermark;
   DROP TABLE dl_activities;
   CREATE UNIQUE INDEX transcripts_watermark ON transcripts(conversation_id, watermark) WHERE watermark IS NOT NULL;`;

/**
 * Records and conversations know their agency. Every record table gets the agency it was written
 * for ('' for rows from before agencies: the store adopts them for the default agency when it
 * opens), with an index for "this agency's rows in a period". A conversation's home agency, the
 * one it began with, is a row of its own, written once: retention keeps the conversation's state,
 * transcript and Direct Line row by that agency's limit. `time` is the dialect's timestamp type.
 */
const AGENCIES = (time: string) =>
  ['outcomes', 'feedback', 'unanswered', 'clarify_choices', 'ratings', 'suggestions']
    .map(
      (table) => `ALTER TABLE ${table} ADD COLUMN agency TEXT NOT NULL DEFAULT '';
   CREATE INDEX ${table}_agency_at ON ${table}(agency, at);`,
    )
    .join('\n   ') +
  `
   CREATE TABLE conversation_agencies (conversation_id TEXT PRIMARY KEY, agency TEXT NOT NULL, at ${time} NOT NULL);
   CREATE INDEX conversation_agencies_agency_at ON conversation_agencies(agency, at);`;

/**
 * One installation serves many agencies (issue 20): the staff side's rows learn their agency (the
 * outbox belongs to its case), staff accounts the agencies they serve with their role in each, and
 * presence is per agency (a member is online for the agency whose console they have open). Rows
 * from before have no agency: the staff side adopts them for the installation's default agency at
 * start (`adoptAgencyless` in bot/handover/), since only the running configuration knows which that
 * is. Until then their agency is NULL, or '' where it is part of a key.
 */
const agencyStaff = (rebuildPresence: string) => `ALTER TABLE handover_tickets ADD COLUMN agency TEXT;
   ALTER TABLE cases ADD COLUMN agency TEXT;
   ALTER TABLE handover_lines ADD COLUMN agency TEXT;
   ALTER TABLE handover_notes ADD COLUMN agency TEXT;
   CREATE INDEX handover_tickets_agency ON handover_tickets(agency, state);
   CREATE INDEX cases_agency ON cases(agency, state, due_at);
   CREATE TABLE staff_agencies (staff_id TEXT NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE, agency TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('staff', 'admin')), PRIMARY KEY (staff_id, agency));
   CREATE INDEX staff_agencies_agency ON staff_agencies(agency);
   INSERT INTO staff_agencies (staff_id, agency, role) SELECT id, '', role FROM staff_accounts;
   ${rebuildPresence}`;

/**
 * The knowledge studio's unanswered inbox (issue 22): a group of unanswered questions staff handled
 * (a phrasing added, an entry started, another authority's, dismissed), by whom and when, and the
 * questions it covered. Neither holds a question's words: a question is named by a hash of its
 * record's conversation, time and reason (bot/studio/inbox.ts), and those marks go with retention
 * as the records do (`asked_at`); the handled groups stay, as the work done. Times are ISO text.
 */
const INBOX_HANDLED = `CREATE TABLE studio_inbox_handled (id TEXT PRIMARY KEY, agency TEXT NOT NULL, group_key TEXT NOT NULL,
     action TEXT NOT NULL CHECK (action IN ('phrasing', 'new-entry', 'authority', 'dismiss')), entry_id TEXT, authority_id TEXT,
     questions INTEGER NOT NULL, staff_id TEXT NOT NULL, staff_name TEXT NOT NULL, at TEXT NOT NULL);
   CREATE INDEX studio_inbox_handled_agency_at ON studio_inbox_handled(agency, at);
   CREATE TABLE studio_inbox_handled_questions (agency TEXT NOT NULL, question TEXT NOT NULL,
     handled_id TEXT NOT NULL REFERENCES studio_inbox_handled(id) ON DELETE CASCADE, asked_at TEXT NOT NULL, PRIMARY KEY (agency, question));
   CREATE INDEX studio_inbox_handled_questions_asked ON studio_inbox_handled_questions(agency, asked_at);`;

// SQLite cannot change a primary key: the presence table is rebuilt, its rows kept (a member in a
// conversation stays present through the upgrade instead of being swept offline).
const SQLITE_AGENCY_PRESENCE = `CREATE TABLE handover_presence_v2 (staff_id TEXT NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
     agency TEXT NOT NULL, status TEXT NOT NULL, last_seen_at TEXT NOT NULL, PRIMARY KEY (staff_id, agency));
   INSERT INTO handover_presence_v2 (staff_id, agency, status, last_seen_at) SELECT staff_id, '', status, last_seen_at FROM handover_presence;
   DROP TABLE handover_presence;
   ALTER TABLE handover_presence_v2 RENAME TO handover_presence;`;
const POSTGRES_AGENCY_PRESENCE = `ALTER TABLE handover_presence ADD COLUMN agency text NOT NULL DEFAULT '';
   ALTER TABLE handover_presence DROP CONSTRAINT handover_presence_pkey;
   ALTER TABLE handover_presence ADD PRIMARY KEY (staff_id, agency);`;

const KNOWLEDGE_ROLE_CHECK = "CHECK (role IN ('staff', 'editor', 'publisher', 'admin'))";
// SQLite cannot change a CHECK constraint: the memberships table is rebuilt, its rows kept.
const SQLITE_KNOWLEDGE_ROLES = `CREATE TABLE staff_agencies_v2 (staff_id TEXT NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE, agency TEXT NOT NULL,
     role TEXT NOT NULL ${KNOWLEDGE_ROLE_CHECK}, PRIMARY KEY (staff_id, agency));
   INSERT INTO staff_agencies_v2 (staff_id, agency, role) SELECT staff_id, agency, role FROM staff_agencies;
   DROP TABLE staff_agencies;
   ALTER TABLE staff_agencies_v2 RENAME TO staff_agencies;
   CREATE INDEX staff_agencies_agency ON staff_agencies(agency);`;
const POSTGRES_KNOWLEDGE_ROLES = `ALTER TABLE staff_agencies DROP CONSTRAINT staff_agencies_role_check;
   ALTER TABLE staff_agencies ADD CONSTRAINT staff_agencies_role_check ${KNOWLEDGE_ROLE_CHECK};`;

/**
 * The knowledge studio (issue 22). A draft is one agency's edit of one entry (its JSON as edited,
 * valid or not yet), or its removal; publishing turns drafts into versions, numbered 1… per entry
 * (a removal is a version without an entry), and an agency whose store holds versions answers from
 * their latest. The audit keeps who did what to which entry, and when. JSON and times are text in
 * both dialects, as in the staff side's tables: an entry comes back as it was written, keys in order.
 */
const STUDIO_TABLES = (serial: string) => `CREATE TABLE knowledge_drafts (agency TEXT NOT NULL, entry_id TEXT NOT NULL, entry TEXT,
     removal INTEGER NOT NULL DEFAULT 0, base_version INTEGER, origin TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL,
     updated_at TEXT NOT NULL, PRIMARY KEY (agency, entry_id));
   CREATE TABLE knowledge_versions (agency TEXT NOT NULL, entry_id TEXT NOT NULL, version INTEGER NOT NULL, entry TEXT,
     author_id TEXT NOT NULL, author_name TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (agency, entry_id, version));
   CREATE TABLE knowledge_audit (id ${serial}, agency TEXT NOT NULL, entry_id TEXT NOT NULL,
     action TEXT NOT NULL CHECK (action IN ('draft-saved', 'draft-discarded', 'published', 'rolled-back', 'seeded')),
     version INTEGER, author_id TEXT NOT NULL, author_name TEXT NOT NULL, at TEXT NOT NULL);
   CREATE INDEX knowledge_audit_entry ON knowledge_audit(agency, entry_id, id);
   CREATE TABLE knowledge_heads (agency TEXT PRIMARY KEY, revision INTEGER NOT NULL);`;

export const MIGRATIONS: readonly Migration[] = [
  {
    about: 'the first tables',
    sqlite: `CREATE TABLE state (key TEXT PRIMARY KEY, etag INTEGER NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE outcomes (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, channel TEXT NOT NULL, language TEXT NOT NULL,
     kind TEXT NOT NULL, entry_id TEXT, authority_ids TEXT NOT NULL, at TEXT NOT NULL);
   CREATE INDEX outcomes_at ON outcomes(at);
   CREATE TABLE feedback (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, entry_id TEXT NOT NULL, helpful INTEGER NOT NULL, at TEXT NOT NULL);
   CREATE TABLE unanswered (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, text TEXT NOT NULL, reason TEXT NOT NULL,
     language TEXT NOT NULL, entry_id TEXT, at TEXT NOT NULL);
   CREATE INDEX unanswered_at ON unanswered(at);
   CREATE TABLE clarify_choices (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, chosen_id TEXT, offered_ids TEXT NOT NULL, at TEXT NOT NULL);`,
    postgres: `CREATE TABLE state (key text PRIMARY KEY, conversation_id text, etag text NOT NULL, doc jsonb NOT NULL, updated_at timestamptz NOT NULL);
   CREATE INDEX state_conversation ON state(conversation_id);
   CREATE INDEX state_updated ON state(updated_at);
   CREATE TABLE outcomes (id bigserial PRIMARY KEY, conversation_id text NOT NULL, channel text NOT NULL, language text NOT NULL,
     kind text NOT NULL, entry_id text, authority_ids jsonb NOT NULL, at timestamptz NOT NULL);
   CREATE INDEX outcomes_at ON outcomes(at);
   CREATE INDEX outcomes_conversation ON outcomes(conversation_id);
   CREATE TABLE feedback (id bigserial PRIMARY KEY, conversation_id text NOT NULL, entry_id text NOT NULL, helpful boolean NOT NULL, at timestamptz NOT NULL);
   CREATE INDEX feedback_at ON feedback(at);
   CREATE INDEX feedback_conversation ON feedback(conversation_id);
   CREATE TABLE unanswered (id bigserial PRIMARY KEY, conversation_id text NOT NULL, text text NOT NULL, reason text NOT NULL,
     language text NOT NULL, entry_id text, at timestamptz NOT NULL);
   CREATE INDEX unanswered_at ON unanswered(at);
   CREATE INDEX unanswered_conversation ON unanswered(conversation_id);
   CREATE TABLE clarify_choices (id bigserial PRIMARY KEY, conversation_id text NOT NULL, chosen_id text, offered_ids jsonb NOT NULL, at timestamptz NOT NULL);
   CREATE INDEX clarify_choices_at ON clarify_choices(at);
   CREATE INDEX clarify_choices_conversation ON clarify_choices(conversation_id);
   CREATE TABLE ratings (id bigserial PRIMARY KEY, conversation_id text NOT NULL, language text NOT NULL, score integer NOT NULL,
     comment text, at timestamptz NOT NULL);
   CREATE INDEX ratings_conversation ON ratings(conversation_id);
   CREATE INDEX ratings_at ON ratings(at);
   CREATE TABLE suggestions (id bigserial PRIMARY KEY, conversation_id text NOT NULL, text text NOT NULL, at timestamptz NOT NULL);
   CREATE INDEX suggestions_conversation ON suggestions(conversation_id);
   CREATE INDEX suggestions_at ON suggestions(at);
   CREATE TABLE transcripts (id bigserial PRIMARY KEY, channel_id text NOT NULL, conversation_id text NOT NULL, activity_id text,
     at timestamptz NOT NULL, activity jsonb NOT NULL);
   CREATE INDEX transcripts_conversation ON transcripts(conversation_id, channel_id, id);
   CREATE INDEX transcripts_channel ON transcripts(channel_id, conversation_id);
   CREATE INDEX transcripts_at ON transcripts(at);
   CREATE TABLE dl_conversations (id text PRIMARY KEY, user_id text NOT NULL, locale text, created_at timestamptz NOT NULL,
     last_active_at timestamptz NOT NULL, last_watermark integer NOT NULL DEFAULT 0);
   CREATE INDEX dl_conversations_active ON dl_conversations(last_active_at);
   CREATE TABLE dl_activities (conversation_id text NOT NULL, watermark integer NOT NULL, at timestamptz NOT NULL, activity jsonb NOT NULL,
     PRIMARY KEY (conversation_id, watermark));
   CREATE INDEX dl_activities_at ON dl_activities(at);
   CREATE TABLE handover_queue (conversation_id text PRIMARY KEY, channel_id text NOT NULL, language text NOT NULL,
     state text NOT NULL CHECK (state IN ('waiting', 'claimed', 'closed')), reference jsonb, created_at timestamptz NOT NULL,
     claimed_by text, claimed_at timestamptz, closed_at timestamptz);
   CREATE INDEX handover_queue_state ON handover_queue(state, created_at);
   CREATE TABLE staff_accounts (id text PRIMARY KEY, username text NOT NULL UNIQUE, display_name text NOT NULL, languages jsonb NOT NULL,
     role text NOT NULL CHECK (role IN ('staff', 'admin')), password_hash text NOT NULL, created_at timestamptz NOT NULL, disabled_at timestamptz);
   CREATE TABLE staff_sessions (token_hash text PRIMARY KEY, staff_id text NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
     created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
   CREATE INDEX staff_sessions_expires ON staff_sessions(expires_at);
   CREATE TABLE cases (id text PRIMARY KEY, conversation_id text NOT NULL, language text NOT NULL,
     state text NOT NULL CHECK (state IN ('open', 'closed')), summary text NOT NULL, contact text, created_at timestamptz NOT NULL,
     due_at timestamptz NOT NULL, closed_at timestamptz, closed_by text REFERENCES staff_accounts(id));
   CREATE INDEX cases_conversation ON cases(conversation_id);
   CREATE INDEX cases_state ON cases(state, due_at);
   CREATE INDEX cases_closed ON cases(closed_at);`,
  },
  {
    // State eTags become random strings: a per-key counter restarted at 1 when a key was deleted
    // and written again, so a stale eTag could match. Rows learn their conversation, for deletion.
    about: 'random state eTags; rows know their conversation; ratings, suggestions, transcripts, Direct Line, the queue, staff, cases',
    sqlite: `CREATE TABLE state_v2 (key TEXT PRIMARY KEY, conversation_id TEXT, etag TEXT NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL);
   INSERT INTO state_v2 (key, conversation_id, etag, doc, updated_at)
     SELECT key,
       CASE WHEN key LIKE '%/conversations/%/' THEN substr(key, instr(key, '/conversations/') + 15, length(key) - instr(key, '/conversations/') - 15) END,
       'v1-' || etag, doc, updated_at FROM state;
   DROP TABLE state;
   ALTER TABLE state_v2 RENAME TO state;
   CREATE INDEX state_conversation ON state(conversation_id);
   CREATE INDEX state_updated ON state(updated_at);
   CREATE INDEX outcomes_conversation ON outcomes(conversation_id);
   CREATE INDEX feedback_conversation ON feedback(conversation_id);
   CREATE INDEX feedback_at ON feedback(at);
   CREATE INDEX unanswered_conversation ON unanswered(conversation_id);
   CREATE INDEX clarify_choices_conversation ON clarify_choices(conversation_id);
   CREATE INDEX clarify_choices_at ON clarify_choices(at);
   CREATE TABLE ratings (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, language TEXT NOT NULL, score INTEGER NOT NULL,
     comment TEXT, at TEXT NOT NULL);
   CREATE INDEX ratings_conversation ON ratings(conversation_id);
   CREATE INDEX ratings_at ON ratings(at);
   CREATE TABLE suggestions (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL);
   CREATE INDEX suggestions_conversation ON suggestions(conversation_id);
   CREATE INDEX suggestions_at ON suggestions(at);
   CREATE TABLE transcripts (id INTEGER PRIMARY KEY, channel_id TEXT NOT NULL, conversation_id TEXT NOT NULL, activity_id TEXT,
     at TEXT NOT NULL, activity TEXT NOT NULL);
   CREATE INDEX transcripts_conversation ON transcripts(conversation_id, channel_id, id);
   CREATE INDEX transcripts_channel ON transcripts(channel_id, conversation_id);
   CREATE INDEX transcripts_at ON transcripts(at);
   CREATE TABLE dl_conversations (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, locale TEXT, created_at TEXT NOT NULL,
     last_active_at TEXT NOT NULL, last_watermark INTEGER NOT NULL DEFAULT 0);
   CREATE INDEX dl_conversations_active ON dl_conversations(last_active_at);
   CREATE TABLE dl_activities (conversation_id TEXT NOT NULL, watermark INTEGER NOT NULL, at TEXT NOT NULL, activity TEXT NOT NULL,
     PRIMARY KEY (conversation_id, watermark)) WITHOUT ROWID;
   CREATE INDEX dl_activities_at ON dl_activities(at);
   CREATE TABLE handover_queue (conversation_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, language TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('waiting', 'claimed', 'closed')), reference TEXT, created_at TEXT NOT NULL,
     claimed_by TEXT, claimed_at TEXT, closed_at TEXT);
   CREATE INDEX handover_queue_state ON handover_queue(state, created_at);
   CREATE TABLE staff_accounts (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, languages TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('staff', 'admin')), password_hash TEXT NOT NULL, created_at TEXT NOT NULL, disabled_at TEXT);
   CREATE TABLE staff_sessions (token_hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
     created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
   CREATE INDEX staff_sessions_expires ON staff_sessions(expires_at);
   CREATE TABLE cases (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, language TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('open', 'closed')), summary TEXT NOT NULL, contact TEXT, created_at TEXT NOT NULL,
     due_at TEXT NOT NULL, closed_at TEXT, closed_by TEXT REFERENCES staff_accounts(id));
   CREATE INDEX cases_conversation ON cases(conversation_id);
   CREATE INDEX cases_state ON cases(state, due_at);
   CREATE INDEX cases_closed ON cases(closed_at);`,
    postgres: '',
  },
  {
    // Direct Line activities as an ordinary rowid table: rows are kilobytes of JSON, and a WITHOUT
    // ROWID table keeps whole rows in its key b-tree; appending became ~40% cheaper, reading ~30%.
    about: 'Direct Line activities in a rowid table',
    sqlite: `CREATE TABLE dl_activities_rowid (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, watermark INTEGER NOT NULL,
     at TEXT NOT NULL, activity TEXT NOT NULL);
   INSERT INTO dl_activities_rowid (conversation_id, watermark, at, activity)
     SELECT conversation_id, watermark, at, activity FROM dl_activities ORDER BY conversation_id, watermark;
   DROP TABLE dl_activities;
   ALTER TABLE dl_activities_rowid RENAME TO dl_activities;
   CREATE UNIQUE INDEX dl_activities_watermark ON dl_activities(conversation_id, watermark);
   CREATE INDEX dl_activities_at ON dl_activities(at);`,
    postgres: '',
  },
  {
    about: 'the staff side: tickets, lines, notes, the mail outbox, presence',
    sqlite: handoverTables('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: handoverTables('bigserial PRIMARY KEY'),
  },
  {
    about: "staff reply to a left question by e-mail: the outbox carries the citizen's mail too",
    sqlite: CITIZEN_REPLIES,
    postgres: CITIZEN_REPLIES,
  },
  {
    // A handover's place in the queue is its ticket's state: a second table kept the same thing twice.
    about: 'the queue is the tickets: handover_queue goes',
    sqlite: 'DROP TABLE handover_queue;',
    postgres: 'DROP TABLE handover_queue;',
  },
  {
    // Each Direct Line activity was written twice, to dl_activities (for the client's poll) and to
    // transcripts (for staff, retention, deletion). The transcript is now the one record: a Direct
    // Line row carries its watermark. The copies kept for polling move over as delivery-only rows,
    // since the same activities are already in the transcript once.
    about: 'one record of each activity: Direct Line reads the transcript',
    sqlite: ONE_RECORD,
    postgres: ONE_RECORD,
  },
  {
    // One installation serves several agencies; a Direct Line conversation is one agency's. Left
    // without a default: the default agency is configuration, and rows from before (or from an
    // instance of the last release during a rolling upgrade) are read as its (directline-sql-store.ts).
    about: 'a Direct Line conversation belongs to one agency',
    sqlite: 'ALTER TABLE dl_conversations ADD COLUMN agency TEXT;',
    postgres: 'ALTER TABLE dl_conversations ADD COLUMN agency text;',
  },
  {
    about: 'records and conversations know their agency',
    sqlite: AGENCIES('TEXT'),
    postgres: AGENCIES('timestamptz'),
  },
  {
    // A forward between two agencies of the installation is counted by both: each names the other.
    about: 'an outcome names the other agency of a forward',
    sqlite: 'ALTER TABLE outcomes ADD COLUMN other_agency TEXT;',
    postgres: 'ALTER TABLE outcomes ADD COLUMN other_agency text;',
  },
  {
    about: "many agencies: the staff side's rows and presence by agency, the agencies each staff account serves",
    sqlite: agencyStaff(SQLITE_AGENCY_PRESENCE),
    postgres: agencyStaff(POSTGRES_AGENCY_PRESENCE),
  },
  {
    about: 'knowledge roles in an agency: editor and publisher besides staff and admin',
    sqlite: SQLITE_KNOWLEDGE_ROLES,
    postgres: POSTGRES_KNOWLEDGE_ROLES,
  },
  {
    about: "the knowledge studio: each agency's drafts, published versions of its entries, and the audit of every change",
    sqlite: STUDIO_TABLES('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: STUDIO_TABLES('bigserial PRIMARY KEY'),
  },
  {
    about: "the studio's unanswered inbox: the groups staff handled, and which questions each covered",
    sqlite: INBOX_HANDLED,
    postgres: INBOX_HANDLED,
  },
];

/**
 * Databases made before the staff side's tables joined this list recorded them in a table of their
 * own, handover_migrations, as versions 1 and 2: they are versions 4 and 5 here.
 */
export const HANDOVER_TRACK_OFFSET = 3;

/** The same on PostgreSQL, in one statement for PgDatabase's `adopt`. */
export const POSTGRES_ADOPT_HANDOVER_TRACK = `DO $$ BEGIN
  IF to_regclass('handover_migrations') IS NOT NULL THEN
    INSERT INTO schema_migrations (version, applied_at) SELECT version + ${HANDOVER_TRACK_OFFSET}, applied_at FROM handover_migrations ON CONFLICT DO NOTHING;
    DROP TABLE handover_migrations;
  END IF;
END $$`;

export const SQLITE_MIGRATIONS: readonly string[] = MIGRATIONS.map((m) => m.sqlite);
export const POSTGRES_MIGRATIONS: readonly string[] = MIGRATIONS.map((m) => m.postgres);
