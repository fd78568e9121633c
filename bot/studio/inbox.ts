// The knowledge studio's unanswered inbox (issue 22, item 7), its pure part: what citizens asked and
// the bot could not answer (fallbacks, "none of these", "did not help"; redacted when stored),
// grouped as `npm run kb:unanswered` groups them, less the questions staff already handled, with the
// closest entry; and the drafts its actions make (a phrasing added to an entry, a new entry).
//
// A group handled earlier comes back when a new question joins it: staff decided about the questions
// they saw, and a citizen asking again is new evidence (a dismissed topic may become a frequent one).
// It comes back with the new questions only, and says how it was handled before. "Joins it" is
// decided on the kept records themselves: once retention removes the handled questions, nothing of
// their words is left to compare with, as nothing of them may be kept beyond retention.
import { createHash } from 'node:crypto';
import type { Knowledge } from '../../knowledge/knowledge.js';
import { closestEntry, groupQuestions } from '../../knowledge/unanswered.js';
import { fold } from '../../knowledge/normalise.js';
import type { LanguageCode } from '../../knowledge/schema.js';
import type { UnansweredQuestion, UnansweredReason } from '../records.js';
import type { HandledGroup, HandledQuestion } from './inbox-handled.js';

/** The examples shown per group. */
export const INBOX_EXAMPLES = 5;

/**
 * A question's name in the inbox's table: a hash of its record's conversation, time and reason, so
 * the mark holds none of its words and leads to no conversation once the record is gone.
 */
export function questionId(q: Pick<UnansweredQuestion, 'conversationId' | 'at' | 'reason'>): string {
  return createHash('sha256').update(`${q.conversationId}\n${q.at.toISOString()}\n${q.reason}`).digest('hex').slice(0, 32);
}

/** A group of the inbox as the studio shows it. */
export interface InboxGroup {
  /** Stable while the group's first question is kept: the id of that question (handled or not). */
  key: string;
  /** The newest question shown (ISO): an action covers the group's questions up to it. */
  through: string;
  /** Questions not yet handled. */
  count: number;
  reasons: Record<UnansweredReason, number>;
  /** A few of the questions, newest first, distinct; already redacted. */
  examples: { text: string; language: LanguageCode; at: string }[];
  /** The language most of its questions were asked in. */
  language: LanguageCode;
  firstAt: string;
  lastAt: string;
  closest: { id: string; title: string; score: number } | null;
  /** How the group was handled before (it came back with new questions). */
  earlier: { action: HandledGroup['action']; entryId?: string; authorityId?: string; questions: number; staffName: string; at: string }[];
}

/** A group with its questions not yet handled, for an action. */
export interface OpenGroup {
  group: InboxGroup;
  questions: (UnansweredQuestion & { id: string })[];
}

/** The inbox: the agency's unanswered questions (oldest first) less those handled, in groups, largest first. */
export function inboxGroups(questions: readonly UnansweredQuestion[], handled: ReadonlyMap<string, HandledGroup>, knowledge: Knowledge): OpenGroup[] {
  const named = questions.map((q) => ({ ...q, id: questionId(q) }));
  const open: OpenGroup[] = [];
  for (const members of groupQuestions(named)) {
    const pending = members.filter((q) => !handled.has(q.id));
    if (pending.length === 0) continue;
    const earlier = new Map<string, HandledGroup>();
    for (const q of members) {
      const h = handled.get(q.id);
      if (h) earlier.set(h.id, h);
    }
    const newestFirst = [...pending].reverse();
    const examples: InboxGroup['examples'] = [];
    const seen = new Set<string>();
    for (const q of newestFirst) {
      const folded = fold(q.text);
      if (seen.has(folded)) continue;
      seen.add(folded);
      examples.push({ text: q.text, language: q.language, at: q.at.toISOString() });
      if (examples.length === INBOX_EXAMPLES) break;
    }
    const reasons: Record<UnansweredReason, number> = { fallback: 0, 'none-of-these': 0, 'not-helpful': 0 };
    const languages = new Map<LanguageCode, number>();
    for (const q of pending) {
      reasons[q.reason] += 1;
      languages.set(q.language, (languages.get(q.language) ?? 0) + 1);
    }
    const closest = closestOf(knowledge, pending);
    open.push({
      group: {
        key: members[0]!.id,
        through: pending.at(-1)!.at.toISOString(),
        count: pending.length,
        reasons,
        examples,
        language: [...languages].sort((a, b) => b[1] - a[1])[0]![0],
        firstAt: pending[0]!.at.toISOString(),
        lastAt: pending.at(-1)!.at.toISOString(),
        closest,
        earlier: [...earlier.values()].map((h) => ({
          action: h.action,
          ...(h.entryId === undefined ? {} : { entryId: h.entryId }),
          ...(h.authorityId === undefined ? {} : { authorityId: h.authorityId }),
          questions: h.questions,
          staffName: h.staff.name,
          at: h.at.toISOString(),
        })),
      },
      questions: pending,
    });
  }
  return open.sort((a, b) => b.group.count - a.group.count || (a.group.lastAt < b.group.lastAt ? 1 : -1));
}

/**
 * The closest entry: the one nearest the group's first question by a word in common (as
 * kb:unanswered names it), else the entry the bot offered that "did not help".
 */
function closestOf(knowledge: Knowledge, pending: readonly UnansweredQuestion[]): InboxGroup['closest'] {
  const title = (id: string) => knowledge.entries.get(id)?.questions.lv[0] ?? id;
  const found = closestEntry(knowledge, pending[0]!.text);
  if (found && knowledge.entries.has(found.id)) return { id: found.id, title: title(found.id), score: found.score };
  const named = pending.find((q) => q.entryId !== undefined && knowledge.entries.has(q.entryId));
  return named?.entryId === undefined ? null : { id: named.entryId, title: title(named.entryId), score: 0 };
}

/** The questions an action on the group covers: those shown, up to `through`. */
export function coveredBy(open: OpenGroup, through: Date): HandledQuestion[] {
  return open.questions.filter((q) => q.at <= through).map((q) => ({ id: q.id, at: q.at }));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The entry (published or a draft, which need not validate) with `text` added to its phrasings in
 * `language`; unchanged when it already has that phrasing (folded); undefined when it has no
 * phrasings object to add to (a draft too broken to take one: the editor fixes it first).
 */
export function withPhrasing(entry: unknown, text: string, language: LanguageCode): { entry: unknown; added: boolean } | undefined {
  if (!isRecord(entry)) return undefined;
  const questions = entry['questions'] ?? {};
  if (!isRecord(questions)) return undefined;
  const list = questions[language] ?? [];
  if (!Array.isArray(list)) return undefined;
  if (list.some((p) => typeof p === 'string' && fold(p) === fold(text))) return { entry, added: false };
  return { entry: { ...structuredClone(entry), questions: { ...structuredClone(questions), [language]: [...list, text] } }, added: true };
}

/**
 * A new entry begun from a question: its first phrasing, the rest for the editor to complete (a
 * draft need not validate; publishing refuses it until it does). Latvian is mandatory in an entry,
 * so a question in another language also starts an empty Latvian list for the editor.
 */
export function newEntryFrom(id: string, text: string, language: LanguageCode): Record<string, unknown> {
  return {
    id,
    kind: 'topic',
    questions: language === 'lv' ? { lv: [text] } : { lv: [], [language]: [text] },
    answer: {},
    sources: [],
    owner: '',
    reviewed: '',
  };
}
