// What a change would move (issue 22, item 5): before publishing, the agency's stored questions are
// decided again with its drafts applied, by knowledge/decide.ts with the context a turn decides with,
// and those whose answer would change are listed, from what to what. Pure: the knowledge, the drafts
// and the questions come in, the changes go out. The questions are every phrasing of every entry
// (published and drafted), the agency's labelled sets where it has them, and recent real questions
// from its records (already redacted when stored).
import { decide, type Decision, type DecisionContext } from '../../knowledge/decide.js';
import { withEntries, type Knowledge } from '../../knowledge/knowledge.js';
import { fold, terms } from '../../knowledge/normalise.js';
import { knowledgeEntry, type KnowledgeEntry, type LanguageCode } from '../../knowledge/schema.js';
import { withoutRedactions } from '../privacy/redact.js';
import { withDrafts, type EntryDraft } from './drafts.js';

/** Where a question the impact decides comes from. */
export type QuestionSource =
  /** A phrasing of an entry, published or drafted: `entryId` is that entry. */
  | { kind: 'phrasing'; entryId: string; draft: boolean }
  /** A line of one of the agency's labelled sets: `set` is its file, `expected` its label. */
  | { kind: 'labelled'; set: string; expected: { kind: string; entryId?: string | string[]; authorityId?: string } }
  /** A recent question of a citizen the bot could not answer (redacted). */
  | { kind: 'recent'; reason: string };

export interface ImpactQuestion {
  text: string;
  language: LanguageCode;
  source: QuestionSource;
}

/** A decision as the impact compares it: the kind and what it names. */
export interface DecidedAs {
  kind: Decision['kind'];
  /** The entry answered (answer, small talk, an emergency referral's answer). */
  entryId: string | null;
  /** The authority referred to. */
  authorityId: string | null;
  /** What a clarifying question offers, in its order. */
  candidates: string[];
}

export interface ImpactChange {
  text: string;
  language: LanguageCode;
  /** Every source the question has (the same text may be a phrasing and a labelled line). */
  sources: QuestionSource[];
  before: DecidedAs;
  after: DecidedAs;
}

export interface Impact {
  /** Questions considered (distinct texts in a language). */
  questions: number;
  /** Of those, the ones decided again: they share a word with a changed entry. */
  decided: number;
  /** Those whose decision would change, phrasings of the changed entries first. */
  changes: ImpactChange[];
  /** Drafts left out: they do not validate yet (publishing refuses them), so the published entry stands. */
  invalidDrafts: string[];
  /** The entries the drafts change, add or remove. */
  changedEntries: string[];
}

export function decidedAs(d: Decision): DecidedAs {
  return {
    kind: d.kind,
    entryId: d.kind === 'answer' || d.kind === 'smalltalk' ? d.entry.id : d.kind === 'refer' ? (d.answer?.id ?? null) : null,
    authorityId: d.kind === 'refer' ? d.authority.id : null,
    candidates: d.kind === 'clarify' ? d.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : [],
  };
}

const sameDecision = (a: DecidedAs, b: DecidedAs): boolean =>
  a.kind === b.kind && a.entryId === b.entryId && a.authorityId === b.authorityId && [...a.candidates].sort().join() === [...b.candidates].sort().join();

const allPhrasings = (entry: KnowledgeEntry): { text: string; language: LanguageCode }[] =>
  Object.entries(entry.questions).flatMap(([language, list]) => (list ?? []).map((text) => ({ text, language: language as LanguageCode })));

/**
 * The drafts that validate applied to the published entries: what the knowledge would be after
 * publishing them. A draft that does not validate is left out (the published entry stands), named.
 */
export function draftedEntries(published: readonly KnowledgeEntry[], drafts: readonly EntryDraft[]): { entries: KnowledgeEntry[]; invalid: string[] } {
  const invalid: string[] = [];
  const usable = drafts.filter((d) => {
    if (d.remove) return true;
    const ok = knowledgeEntry.safeParse(d.entry).success && (d.entry as { id?: unknown }).id === d.entryId;
    if (!ok) invalid.push(d.entryId);
    return ok;
  });
  // Parsed again for the schema's defaults (links, followUps…), as loading the files gives them.
  const entries = withDrafts(published, usable).map((e) => knowledgeEntry.parse(e));
  return { entries, invalid };
}

/**
 * Each question decided with the published knowledge (`ctx.knowledge`) and with the drafts applied;
 * the changes. `ctx` is what a turn of the agency decides with: only its knowledge is swapped.
 * Asynchronous only to yield the event loop every SLICE_MS: nothing else is awaited.
 */
export async function impact(ctx: DecisionContext, drafts: readonly EntryDraft[], stored: readonly ImpactQuestion[]): Promise<Impact> {
  const published = ctx.knowledge;
  const { entries, invalid } = draftedEntries([...published.entries.values()], drafts);
  const after: Knowledge = withEntries(published, entries);
  const changedEntries = drafts.filter((d) => !invalid.includes(d.entryId)).map((d) => d.entryId);
  const changedSet = new Set(changedEntries);

  // Every phrasing of every entry, published and drafted, then the stored questions.
  const questions: ImpactQuestion[] = [];
  for (const entry of published.entries.values())
    for (const p of allPhrasings(entry)) questions.push({ ...p, source: { kind: 'phrasing', entryId: entry.id, draft: false } });
  for (const entry of entries) {
    if (!changedSet.has(entry.id)) continue;
    for (const p of allPhrasings(entry)) questions.push({ ...p, source: { kind: 'phrasing', entryId: entry.id, draft: true } });
  }
  questions.push(...stored);

  // One decision per distinct text in a language; a text's sources are listed together.
  const distinct = new Map<string, { text: string; language: LanguageCode; sources: QuestionSource[] }>();
  for (const q of questions) {
    const key = `${q.language}\n${fold(q.text)}`;
    const known = distinct.get(key);
    if (known) {
      if (!known.sources.some((s) => JSON.stringify(s) === JSON.stringify(q.source))) known.sources.push(q.source);
    } else distinct.set(key, { text: q.text, language: q.language, sources: [q.source] });
  }

  // Deciding every question twice would cost ~1.2 ms a decision: 4.6 s for dvi's 1,900 phrasings and
  // sets, on the event loop. A question's answer can move only where a changed entry is among its
  // closest now (an entry edited or removed), or where the question has a word the drafts add (a
  // phrasing, a new entry): those are decided again. The rest moves only through the weights every
  // word has across the entries (IDF), which one entry's edit barely shifts.
  const added = new Set<string>();
  for (const id of changedSet) {
    const old = new Set(termsOf(published.entries.get(id)).map(prefixOf));
    for (const t of termsOf(after.entries.get(id))) if (!old.has(prefixOf(t))) added.add(prefixOf(t));
  }
  const afterCtx: DecisionContext = { ...ctx, knowledge: after };
  const changes: ImpactChange[] = [];
  let decided = 0;
  let slice = performance.now();
  for (const q of distinct.values()) {
    // It runs on the event loop: citizens' turns go on between slices.
    if (performance.now() - slice > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    // As a turn does: decided without the redaction marks, in a conversation in the question's language.
    const text = withoutRedactions(q.text);
    // A citizen's question is never kept past this call (its record may be purged tomorrow): only
    // the agency's own phrasings and labelled questions are remembered between calls.
    const keep = q.sources.every((s) => s.kind !== 'recent');
    const near = closestBefore(published, text, keep).some((id) => changedSet.has(id));
    if (!near && !terms(text).some((t) => added.has(prefixOf(t)))) continue;
    decided++;
    const before = decidedBefore(published, text, { ...ctx, conversationLanguage: q.language }, keep);
    const now = decidedAs(decide(text, { ...afterCtx, conversationLanguage: q.language }).decision);
    if (!sameDecision(before, now)) changes.push({ text: q.text, language: q.language, sources: q.sources, before, after: now });
  }
  const ofChanged = (c: ImpactChange) => c.sources.some((s) => s.kind === 'phrasing' && changedSet.has(s.entryId));
  changes.sort((a, b) => Number(ofChanged(b)) - Number(ofChanged(a)));
  return { questions: distinct.size, decided, changes, invalidDrafts: invalid, changedEntries };
}

/** The topic stems of an entry's phrasings and keywords. */
function termsOf(entry: KnowledgeEntry | undefined): string[] {
  if (entry === undefined) return [];
  return [...allPhrasings(entry).map((p) => p.text), ...Object.values(entry.keywords ?? {}).flat()].flatMap((text) => terms(text ?? ''));
}

/** What two terms must share to count as the same word: inflections and compounds share their start. */
const prefixOf = (term: string): string => term.slice(0, 4);

/**
 * Decisions with the published knowledge, kept per knowledge object (a reload makes a new one): the
 * editor asks again after each edit, and only the drafted knowledge is new each time.
 */
const before = new WeakMap<Knowledge, Map<string, DecidedAs>>();
const near = new WeakMap<Knowledge, Map<string, string[]>>();
const KEPT_DECISIONS = 20_000;
/** The longest the loop holds the event loop before letting other work in. */
const SLICE_MS = 20;
/** How many of the closest documents count as "near" (a clarifying question offers at most three). */
const NEAR = 3;

/** The ids of the documents closest to the question in the published knowledge (kept like the decisions). */
function closestBefore(published: Knowledge, text: string, keep: boolean): string[] {
  let kept = near.get(published);
  if (kept === undefined) near.set(published, (kept = new Map()));
  let found = kept.get(text);
  if (found === undefined) {
    found = published.index.search(text, NEAR).results.map((r) => r.id);
    if (keep) {
      if (kept.size >= KEPT_DECISIONS) kept.clear();
      kept.set(text, found);
    }
  }
  return found;
}

function decidedBefore(published: Knowledge, text: string, ctx: DecisionContext, keep: boolean): DecidedAs {
  let kept = before.get(published);
  if (kept === undefined) before.set(published, (kept = new Map()));
  const key = `${ctx.conversationLanguage}\n${text}`;
  let found = kept.get(key);
  if (found === undefined) {
    found = decidedAs(decide(text, ctx).decision);
    if (keep) {
      if (kept.size >= KEPT_DECISIONS) kept.clear();
      kept.set(key, found);
    }
  }
  return found;
}
