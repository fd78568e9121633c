// How storage keeps agencies apart, the same in every backend: records are written and read per
// agency, rows from before agencies are adopted by the default agency, and a purge goes in steps,
// one per agency with its own cutoff, conversations by their home agency (conversation_agencies).
import { RECORD_TABLES } from './kept-records.js';
import type { PurgeCutoffs } from './store.js';

/**
 * An agency is a folder name, never empty: '' marks rows from before agencies, which belong to the
 * default agency once adopted. A programming error, so thrown.
 */
export function assertAgency(agency: string): string {
  if (agency === '') throw new Error('storage: an agency is needed');
  return agency;
}

/** One object per agency, made when first asked for. */
export function perAgency<T>(make: (agency: string) => T): (agency: string) => T {
  const made = new Map<string, T>();
  return (agency) => {
    assertAgency(agency);
    let value = made.get(agency);
    if (value === undefined) made.set(agency, (value = make(agency)));
    return value;
  };
}

/**
 * Rows written before records knew their agency (agency '') are the default agency's. Run at every
 * open: the index on (agency, at) makes it cheap once none are left. `placeholder` is the default
 * agency's parameter in the dialect.
 */
export const adoptRecords = (placeholder: '?' | '$1'): string[] =>
  RECORD_TABLES.map((table) => `UPDATE ${table} SET agency = ${placeholder} WHERE agency = ''`);

/**
 * One step of a purge: what is older than `before` and belongs to `agency` (records by their own
 * agency, conversations by their home agency), or, for the last step, to none of the agencies with
 * a cutoff of their own (`notAmong`), conversations with no home agency included.
 */
export type PurgeStep = { before: Date } & ({ agency: string } | { notAmong: readonly string[] });

export function purgeSteps(cutoffs: PurgeCutoffs): PurgeStep[] {
  const own = [...cutoffs.byAgency].map(([agency, before]): PurgeStep => ({ agency, before }));
  return [...own, { notAmong: [...cutoffs.byAgency.keys()], before: cutoffs.otherwise }];
}

/** The cutoff for a record of this agency, or a conversation with this home agency (undefined: none recorded). */
export function cutoffFor(cutoffs: PurgeCutoffs, agency: string | undefined): Date {
  return (agency === undefined ? undefined : cutoffs.byAgency.get(agency)) ?? cutoffs.otherwise;
}

/** A purge step's conditions in one dialect, and the parameters they use. */
export interface StepConditions<Params> {
  params: Params;
  /** On a table's own `agency` column (records, conversation_agencies). */
  agency: string;
  /** On a conversation id column (qualified by its table): the conversation's home agency is the step's. */
  home: (conversationColumn: string) => string;
}

/** SQLite: named parameters, `@before` the step's cutoff (ISO text, as the columns hold it). */
export function sqliteStep(step: PurgeStep): StepConditions<Record<string, string>> {
  const before = step.before.toISOString();
  if ('agency' in step) {
    return {
      params: { before, agency: step.agency },
      agency: 'agency = @agency',
      // Only conversations begun before the cutoff can have rows older than it: the index on
      // (agency, at) finds those few, not every conversation the agency ever had.
      home: (column) => `${column} IN (SELECT conversation_id FROM conversation_agencies WHERE agency = @agency AND at < @before)`,
    };
  }
  const among = 'IN (SELECT value FROM json_each(@agencies))';
  return {
    params: { before, agencies: JSON.stringify(step.notAmong) },
    agency: `agency NOT ${among}`,
    home: (column) => `NOT EXISTS (SELECT 1 FROM conversation_agencies h WHERE h.conversation_id = ${column} AND h.agency ${among})`,
  };
}

/** PostgreSQL: `$1` is the step's cutoff, `$2` its agency (or the agencies it is not). */
export function postgresStep(step: PurgeStep): StepConditions<[Date, string | readonly string[]]> {
  if ('agency' in step) {
    return {
      params: [step.before, step.agency],
      agency: 'agency = $2',
      home: (column) => `${column} IN (SELECT conversation_id FROM conversation_agencies WHERE agency = $2 AND at < $1)`,
    };
  }
  return {
    params: [step.before, step.notAmong],
    agency: 'agency <> ALL($2::text[])',
    home: (column) => `NOT EXISTS (SELECT 1 FROM conversation_agencies h WHERE h.conversation_id = ${column} AND h.agency = ANY($2::text[]))`,
  };
}

/**
 * A conversation's home agency row goes once nothing of the conversation is left: records need
 * it not (they carry their agency), and it names the conversation.
 */
export const NOTHING_LEFT_OF_CONVERSATION = ['state', 'transcripts', 'cases']
  .map((table) => `NOT EXISTS (SELECT 1 FROM ${table} WHERE ${table}.conversation_id = conversation_agencies.conversation_id)`)
  .concat('NOT EXISTS (SELECT 1 FROM dl_conversations WHERE dl_conversations.id = conversation_agencies.conversation_id)')
  .join(' AND ');
