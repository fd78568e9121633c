// Groups unanswered questions by similarity (shared stems), so one missing topic asked twenty ways
// shows up as one line with a count.
import type { Knowledge } from './knowledge.js';
import { isStopword, stem, words } from './normalise.js';

export interface UnansweredGroup {
  count: number;
  example: string;
  others: string[];
  reasons: Record<string, number>;
  closestEntryId: string | null;
  closestScore: number | null;
}

/** Two questions join a group when this share of their stems overlaps (Jaccard). */
const SAME_TOPIC = 0.5;

/** What grouping needs of a question left unanswered (storage's records carry more). */
export interface UnansweredText {
  text: string;
  reason: string;
}

export function groupUnanswered(questions: readonly UnansweredText[], knowledge: Knowledge): UnansweredGroup[] {
  return groupQuestions(questions)
    .map((items) => {
      const example = items[0]!.text;
      const closest = closestEntry(knowledge, example);
      const reasons: Record<string, number> = {};
      for (const i of items) reasons[i.reason] = (reasons[i.reason] ?? 0) + 1;
      return {
        count: items.length,
        example,
        others: [...new Set(items.slice(1).map((i) => i.text))].filter((t) => t !== example),
        reasons,
        closestEntryId: closest?.id ?? null,
        closestScore: closest?.score ?? null,
      };
    })
    .sort((a, b) => b.count - a.count);
}

/** The questions in groups of one topic, each group and its questions in the order given. */
export function groupQuestions<Q extends UnansweredText>(questions: readonly Q[]): Q[][] {
  const groups: { stems: Set<string>; items: Q[] }[] = [];
  for (const q of questions) {
    const stems = new Set(
      words(q.text)
        .filter((w) => !isStopword(w))
        .map(stem),
    );
    const home = groups.find((g) => jaccard(g.stems, stems) >= SAME_TOPIC);
    if (home) {
      home.items.push(q);
      for (const s of stems) home.stems.add(s);
    } else groups.push({ stems, items: [q] });
  }
  return groups.map((g) => g.items);
}

/** The entry closest to a question, by a word in common: letters alone would name an unrelated entry for "asdf qwerty". */
export function closestEntry(knowledge: Knowledge, text: string): { id: string; score: number } | undefined {
  const found = knowledge.index.search(text, 4).results.find((r) => r.kind === 'entry' && r.matched.length > 0);
  return found && { id: found.id, score: found.score };
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}
