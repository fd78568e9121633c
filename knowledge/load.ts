// Reads an agency's knowledge from disk, validates it with zod and cross-checks it, collecting every
// problem at once (kb:check shows them all; the bot refuses to start on any error).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { agencyProfile, authority, knowledgeEntry, localizedList, entryId, type AgencyProfile, type Authority, type KnowledgeEntry } from './schema.js';
import { loadVoteExamples, type VoteExample } from './intent-vote.js';
import { reviewOverdue } from './review.js';

export const intent = z.object({ id: entryId, questions: localizedList, keywords: localizedList.optional() }).strict();
export type Intent = z.infer<typeof intent>;

export interface Problem {
  severity: 'error' | 'warning';
  /** Path relative to the knowledge folder. */
  file: string;
  entryId?: string;
  field?: string;
  message: string;
}

export interface KnowledgeFiles {
  profile: AgencyProfile;
  entries: KnowledgeEntry[];
  authorities: Authority[];
  intents: Intent[];
  /** Labelled messages for the intent vote (knowledge/vote/examples.yaml); none: no vote. */
  voteExamples?: VoteExample[];
}

export type LoadResult = { ok: true; files: KnowledgeFiles; problems: Problem[] } | { ok: false; problems: Problem[] };

export interface LoadOptions {
  knowledgeDir: string;
  agency: string;
  /** Today, for review dates. */
  today: Date;
  /** The shared files as already read (one read for every agency); default: read them now. */
  shared?: SharedFiles;
  /**
   * The agency's entries as published in the knowledge studio's store, each with the id it is kept
   * under, instead of its entries folder (the profile is still read from the folder). Checked
   * exactly as files are, each named by the file it would be (`entries/<id>.yaml`).
   */
  entries?: readonly NamedEntry[];
}

/** An entry as kept by id (a file's name, a draft's or version's entry id), not yet validated. */
export interface NamedEntry {
  id: string;
  entry: unknown;
}

/** What every agency of the knowledge folder reads alike: the referral directory, the built-in intents, the vote's examples. */
export interface SharedFiles {
  authorities: Authority[];
  intents: Intent[];
  voteExamples: VoteExample[];
  /** Their problems (paths relative to the knowledge folder); an error refuses every agency. */
  problems: Problem[];
  /** The files of each id, for the check that no id is used twice (an entry's included). */
  filesById: ReadonlyMap<string, readonly string[]>;
}

export function agencyDir(knowledgeDir: string, agency: string): string {
  return path.join(knowledgeDir, 'agencies', agency);
}

/** Reads the files of a knowledge folder into one list of problems, noting the files of each id. */
class FileReader {
  readonly problems: Problem[] = [];
  readonly filesById = new Map<string, string[]>();

  constructor(private readonly knowledgeDir: string) {}

  rel(file: string): string {
    return path.relative(this.knowledgeDir, file) || file;
  }

  one<T>(file: string, schema: z.ZodType<T>): T | undefined {
    let raw: unknown;
    try {
      // Cloned: the parser's strings are mostly slices of the file's text, and one kept slice keeps the
      // whole text (9 MB of files stayed in memory with 50 agencies); the clone's strings are their own.
      raw = structuredClone(parseYaml(readFileSync(file, 'utf8')));
    } catch (err) {
      const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
      this.problems.push({ severity: 'error', file: this.rel(file), message: `not valid YAML${where}: ${(err as Error).message.split('\n')[0]}` });
      return undefined;
    }
    return this.parsed(raw, this.rel(file), schema);
  }

  /** A value checked against its schema; its problems name the file (relative) and each field. */
  parsed<T>(raw: unknown, file: string, schema: z.ZodType<T>): T | undefined {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? String((raw as { id: unknown }).id) : undefined;
    for (const issue of parsed.error.issues) {
      this.problems.push({
        severity: 'error',
        file,
        ...(id === undefined ? {} : { entryId: id }),
        field: issue.path.join('.') || '(entry)',
        message: issue.message,
      });
    }
    return undefined;
  }

  folder<T extends { id: string }>(folder: string, schema: z.ZodType<T>, required: boolean): T[] {
    if (!existsSync(folder)) {
      if (required) this.problems.push({ severity: 'error', file: this.rel(folder), message: 'folder missing' });
      return [];
    }
    return this.named(
      readdirSync(folder)
        .filter(isYaml)
        .sort()
        .map((name) => ({ name: name.replace(/\.ya?ml$/, ''), file: path.join(folder, name) })),
      (file) => this.one(file, schema),
    );
  }

  /**
   * Entries kept by id rather than in files (the studio's store), checked as the folder's files
   * are: each named by the file it would be, its id the one it is kept under.
   */
  kept(folder: string, entries: readonly NamedEntry[]): KnowledgeEntry[] {
    return this.named(
      entries.map(({ id, entry }) => ({ name: id, file: path.join(folder, `${id}.yaml`), entry })),
      (file, item) => this.parsed(item.entry, this.rel(file), knowledgeEntry),
    );
  }

  /** Items read one by one, each of whose id must be its name; notes the files of each id. */
  private named<T extends { id: string }, I extends { name: string; file: string }>(items: readonly I[], read: (file: string, item: I) => T | undefined): T[] {
    const out: T[] = [];
    for (const item of items) {
      const value = read(item.file, item);
      if (!value) continue;
      if (value.id !== item.name) {
        this.problems.push({
          severity: 'error',
          file: this.rel(item.file),
          entryId: value.id,
          field: 'id',
          message: `id must equal the file name "${item.name}"`,
        });
      }
      this.filesById.set(value.id, [...(this.filesById.get(value.id) ?? []), this.rel(item.file)]);
      out.push(value);
    }
    return out;
  }
}

/**
 * The shared files of a knowledge folder. Read once for all agencies (bot/agencies.ts), again only
 * when one of them changes: an agency of 30 entries loaded in 50 ms with them, 15 ms without.
 */
export function loadSharedFiles(knowledgeDir: string): SharedFiles {
  const read = new FileReader(knowledgeDir);
  const authorities = read.folder(path.join(knowledgeDir, 'authorities'), authority, false);
  const intents = read.folder(path.join(knowledgeDir, 'intents'), intent, false);
  const voteFile = path.join(knowledgeDir, 'vote', 'examples.yaml');
  let voteExamples: VoteExample[] = [];
  if (existsSync(voteFile)) {
    try {
      voteExamples = loadVoteExamples(voteFile);
    } catch (err) {
      read.problems.push({
        severity: 'error',
        file: read.rel(voteFile),
        message: err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message.split('\n')[0]!,
      });
    }
  }
  return { authorities, intents, voteExamples, problems: read.problems, filesById: read.filesById };
}

/** An entry's file, relative to the knowledge folder: where kb:check and the studio say a problem is. */
export function entryFile(agency: string, id: string): string {
  return path.join('agencies', agency, 'entries', `${id}.yaml`);
}

export function loadKnowledgeFiles({ knowledgeDir, agency, today, shared: given, entries: kept }: LoadOptions): LoadResult {
  const read = new FileReader(knowledgeDir);
  const dir = agencyDir(knowledgeDir, agency);
  if (!existsSync(dir)) {
    return { ok: false, problems: [{ severity: 'error', file: read.rel(dir), message: `no agency folder "${agency}"` }] };
  }
  const profile = read.one(path.join(dir, 'profile.yaml'), agencyProfile);
  const entries = kept === undefined ? read.folder(path.join(dir, 'entries'), knowledgeEntry, true) : read.kept(path.join(dir, 'entries'), kept);
  const shared = given ?? loadSharedFiles(knowledgeDir);
  const { intents, voteExamples } = shared;
  // The directory of other bodies, less the agency itself where the directory names it too.
  const authorities = shared.authorities.filter((a) => a.agency !== agency);
  // The problems in the order one reading of every file gives: the agency's, the shared files', then ids used twice.
  const problems = [...read.problems, ...shared.problems];
  const filesById = new Map(read.filesById);
  for (const [id, files] of shared.filesById) filesById.set(id, [...(filesById.get(id) ?? []), ...files]);
  for (const [id, files] of filesById) {
    if (files.length < 2) continue;
    for (const file of files) {
      const others = files.filter((f) => f !== file).join(', ');
      problems.push({ severity: 'error', file, entryId: id, field: 'id', message: `id also used in ${others}` });
    }
  }
  // The folder is the agency's id everywhere (tokens, records, staff); a copied folder keeps the old id.
  if (profile && profile.id !== agency) {
    problems.push({ severity: 'error', file: read.rel(path.join(dir, 'profile.yaml')), field: 'id', message: `id must equal the folder name "${agency}"` });
  }
  if (profile) crossCheck({ profile, entries, authorities, intents }, today, problems, dir, knowledgeDir);
  if (!profile || problems.some((p) => p.severity === 'error')) return { ok: false, problems };
  return { ok: true, files: { profile, entries, authorities, intents, voteExamples }, problems };
}

function crossCheck(files: KnowledgeFiles, today: Date, problems: Problem[], dir: string, knowledgeDir: string): void {
  const { profile, entries, authorities } = files;
  const entryFile = (id: string) => path.relative(knowledgeDir, path.join(dir, 'entries', `${id}.yaml`));
  const languages = profile.staffLanguages;
  const ids = new Set(entries.map((e) => e.id));
  for (const entry of entries) {
    const file = entryFile(entry.id);
    for (const lang of languages) {
      for (const field of ['questions', 'answer'] as const) {
        if (!(lang in entry[field])) {
          problems.push({ severity: 'error', file, entryId: entry.id, field: `${field}.${lang}`, message: `missing ${lang} translation` });
        }
      }
    }
    entry.followUps.forEach((target, i) => {
      if (!ids.has(target)) problems.push({ severity: 'error', file, entryId: entry.id, field: `followUps.${i}`, message: `"${target}" is not an entry` });
      if (target === entry.id) problems.push({ severity: 'error', file, entryId: entry.id, field: `followUps.${i}`, message: 'an entry cannot follow itself' });
    });
    if (reviewOverdue(entry.reviewed, profile.reviewIntervalDays, today)) {
      problems.push({
        severity: 'warning',
        file,
        entryId: entry.id,
        field: 'reviewed',
        message: `last reviewed ${entry.reviewed}: due for review (every ${profile.reviewIntervalDays} days)`,
      });
    }
  }
  for (const a of authorities) {
    for (const lang of languages) {
      if (!(lang in a.name))
        problems.push({ severity: 'error', file: `authorities/${a.id}.yaml`, entryId: a.id, field: `name.${lang}`, message: `missing ${lang} translation` });
    }
  }
  for (const lang of languages) {
    if (!(lang in profile.name))
      problems.push({
        severity: 'error',
        file: path.relative(knowledgeDir, path.join(dir, 'profile.yaml')),
        field: `name.${lang}`,
        message: `missing ${lang} translation`,
      });
  }
}

function isYaml(name: string): boolean {
  return /\.ya?ml$/.test(name) && !name.startsWith('.');
}

export function formatProblem(p: Problem): string {
  const where = [p.file, p.entryId, p.field].filter(Boolean).join(' › ');
  return `${p.severity === 'error' ? 'ERROR  ' : 'warning'} ${where}: ${p.message}`;
}
