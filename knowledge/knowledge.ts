// The knowledge of one agency, ready to answer: validated files plus the match index over them.
import { isLatvianWord } from './latvian-words.js';
import type { AgencyProfile, Authority, KnowledgeEntry } from './schema.js';
import type { Intent, KnowledgeFiles } from './load.js';
import { IntentVote, type IntentVoter, type VoteExample, type VoteLabel } from './intent-vote.js';
import { MatchIndex, type MatchDocument, type MatcherSettings, DEFAULT_MATCHER_SETTINGS } from './matcher.js';

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
 * entries', the authorities' and the other built-in intents' phrasings.
 */
function voteOf(files: KnowledgeFiles, examples: readonly VoteExample[]): IntentVote {
  const intents = files.intents.flatMap((i) => {
    const label = VOTED_INTENTS[i.id];
    return label ? allOf(i.questions).map((text) => ({ text, label })) : [];
  });
  const others = [...files.entries, ...files.authorities, ...files.intents.filter((i) => !VOTED_INTENTS[i.id])].flatMap((d) => allOf(d.questions));
  return new IntentVote([...examples, ...intents], others);
}

export function buildKnowledge(files: KnowledgeFiles, settings: MatcherSettings = DEFAULT_MATCHER_SETTINGS): Knowledge {
  const documents: MatchDocument[] = [
    ...files.entries.map((e) => ({ kind: 'entry' as const, id: e.id, phrasings: allOf(e.questions), keywords: allOf(e.keywords) })),
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
    index: new MatchIndex(documents, settings, isLatvianWord),
    languages: new Set(files.entries.flatMap((e) => Object.keys(e.questions))),
    writtenIn: new Set([...files.entries, ...files.authorities, ...files.intents].flatMap((d) => Object.keys(d.questions))),
    ...(files.voteExamples?.length ? { vote: voteOf(files, files.voteExamples) } : {}),
  };
}
