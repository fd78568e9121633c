// The knowledge of one agency, ready to answer: validated files plus the match index over them.
// What every agency has alike (the authorities, the built-in intents, the vote's examples) is built
// once per installation when a SharedAnalysis is handed in (bot/agencies.ts does), and searched
// beside the agency's own entries exactly as if it were built for this agency alone.
import { isLatvianWord } from './latvian-words.js';
import type { AgencyProfile, Authority, KnowledgeEntry } from './schema.js';
import type { Intent, KnowledgeFiles } from './load.js';
import { IntentVote, type IntentVoter, type VoteLabel } from './intent-vote.js';
import { MatchIndex, type MatchDocument, type MatcherSettings, DEFAULT_MATCHER_SETTINGS } from './matcher.js';
import { SharedAnalysis } from './shared.js';

export interface Knowledge {
  profile: AgencyProfile;
  entries: ReadonlyMap<string, KnowledgeEntry>;
  authorities: ReadonlyMap<string, Authority>;
  intents: ReadonlyMap<string, Intent>;
  index: MatchIndex;
  /** Languages the entries' questions are written in. */
  languages: ReadonlySet<string>;
  /** Languages any question the index holds is written in: the entries', the directory's, the intents'. */
  writtenIn: ReadonlySet<string>;
  /** A second opinion on what a message asks for, learnt from labelled messages (none without examples). */
  vote?: IntentVoter;
}

const allOf = (list: Partial<Record<string, string[]>> | undefined): string[] => Object.values(list ?? {}).flatMap((v) => v ?? []);

/**
 * An authority's competence, clause by clause: each says one thing the authority does (measured on
 * the tuning set at 5 phrasings: right authority 48 % as sentences, 55 % as clauses).
 */
function competenceClauses(competence: Partial<Record<string, string>>): string[] {
  return Object.values(competence)
    .flatMap((text) => (text ?? '').split(/[,;.]\s+|\s+(?:un|and)\s+/u))
    .map((c) => c.trim())
    .filter((c) => c.split(/\s+/).length >= 2);
}

/** The built-in intents that are one of the vote's labels: their phrasings are examples of it. */
const VOTED_INTENTS: Partial<Record<string, VoteLabel>> = {
  'intent.handover': 'handover',
  'intent.protected-info': 'protected',
  'intent.off-topic': 'offtopic',
};

/**
 * The vote, from the labelled messages and what an ordinary question looks like here: the agency's
 * entries', then the authorities' and the other built-in intents' phrasings (those two shared).
 */
function voteOf(files: KnowledgeFiles, shared: SharedAnalysis): IntentVote {
  const intents = files.intents.flatMap((i) => {
    const label = VOTED_INTENTS[i.id];
    return label ? allOf(i.questions).map((text) => ({ text, label })) : [];
  });
  const sharedOthers = [...files.authorities, ...files.intents.filter((i) => !VOTED_INTENTS[i.id])].flatMap((d) => allOf(d.questions));
  const basis = shared.voteBasis([...(files.voteExamples ?? []), ...intents], sharedOthers);
  const own = files.entries.flatMap((e) => allOf(e.questions));
  return new IntentVote(basis, own);
}

/**
 * `shared`: where the parts every agency builds alike are kept (one per installation); without it,
 * they are built for this knowledge alone.
 */
export function buildKnowledge(files: KnowledgeFiles, settings: MatcherSettings = DEFAULT_MATCHER_SETTINGS, shared = new SharedAnalysis()): Knowledge {
  const entries: MatchDocument[] = files.entries.map((e) => ({ kind: 'entry' as const, id: e.id, phrasings: allOf(e.questions), keywords: allOf(e.keywords) }));
  // After the entries, as the index has always listed them: the layer's documents follow the own.
  const sharedDocuments: MatchDocument[] = [
    ...files.authorities.map((a) => ({
      kind: 'authority' as const,
      id: a.id,
      // The competence, clause by clause, speaks for the authority however few questions staff wrote.
      phrasings: [...allOf(a.questions), ...competenceClauses(a.competence)],
      keywords: [...allOf(a.keywords), ...Object.values(a.name).filter((v): v is string => v !== undefined)],
    })),
    ...files.intents.map((i) => ({ kind: 'intent' as const, id: i.id, phrasings: allOf(i.questions), keywords: allOf(i.keywords) })),
  ];
  return {
    profile: files.profile,
    entries: new Map(files.entries.map((e) => [e.id, e])),
    authorities: new Map(files.authorities.map((a) => [a.id, a])),
    intents: new Map(files.intents.map((i) => [i.id, i])),
    index: new MatchIndex(entries, settings, isLatvianWord, [shared.matchLayer(sharedDocuments, MatchIndex.layerSettings(settings))]),
    languages: new Set(files.entries.flatMap((e) => Object.keys(e.questions))),
    writtenIn: new Set([...files.entries, ...files.authorities, ...files.intents].flatMap((d) => Object.keys(d.questions))),
    ...(files.voteExamples?.length ? { vote: voteOf(files, shared) } : {}),
  };
}

/**
 * The same agency's knowledge with other entries (its drafts applied, for the studio's "what would
 * change"): the directory, the intents and the shared parts are the base's own objects, so only the
 * entries' index and the vote's "other" counts are built again.
 */
export function withEntries(base: Knowledge, entries: readonly KnowledgeEntry[]): Knowledge {
  const documents: MatchDocument[] = entries.map((e) => ({ kind: 'entry' as const, id: e.id, phrasings: allOf(e.questions), keywords: allOf(e.keywords) }));
  const own = entries.flatMap((e) => allOf(e.questions));
  return {
    ...base,
    entries: new Map(entries.map((e) => [e.id, e])),
    index: new MatchIndex(documents, base.index.settings, isLatvianWord, base.index.layers.slice(1)),
    languages: new Set(entries.flatMap((e) => Object.keys(e.questions))),
    writtenIn: new Set([...entries, ...base.authorities.values(), ...base.intents.values()].flatMap((d) => Object.keys(d.questions))),
    ...(base.vote instanceof IntentVote ? { vote: new IntentVote(base.vote.basis, own) } : {}),
  };
}
