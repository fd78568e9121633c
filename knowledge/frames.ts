// What a message asks for, recognised from the meaning of its words (knowledge/frames/frames.yaml):
// a request for a person, an attempt to obtain protected information, a threat. Phrasings matched
// by resemblance miss what nobody wrote down ("lai ar mani sazinās jurists"); a frame names the
// parts such a message has (a person, a contact, a wish) and holds for any wording that has them.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fold, isStopword } from './normalise.js';
import { unmask } from './conduct.js';
import { isLatvianWord } from './latvian-words.js';
import { withLatinSpellings } from './transliterate.js';

export const FRAME_NAMES = ['handover', 'protected', 'threat'] as const;
export type FrameName = (typeof FRAME_NAMES)[number];

/**
 * A cue's word that may be any word, between two others: "=vinas * @privateDetail" also holds with an
 * adjective between the pronoun and the detail ("viņas jaunā adrese").
 */
const ANY_WORD = '*';

const rule = z
  .object({
    all: z.array(z.string()).min(1),
    none: z.array(z.string()).default([]),
    maxWords: z.number().int().positive().optional(),
    /** Where the concepts must meet: one sentence (default) or anywhere in the message. */
    within: z.enum(['sentence', 'message']).default('sentence'),
  })
  .strict();
const framesFile = z
  .object({
    concepts: z.record(z.string(), z.array(z.string().min(1)).min(1)),
    frames: z.partialRecord(z.enum(FRAME_NAMES), z.array(rule).min(1)),
  })
  .strict()
  .superRefine((file, ctx) => {
    for (const [name, list] of Object.entries(file.concepts)) {
      for (const entry of list) {
        const parts = entry.trim().split(/\s+/);
        if (parts[0] === ANY_WORD || parts.at(-1) === ANY_WORD) {
          ctx.addIssue({ code: 'custom', path: ['concepts', name], message: `"${entry}": "${ANY_WORD}" stands for a word between two others` });
        }
        for (const ref of parts.filter((w) => w.startsWith('@'))) {
          if (!(ref.slice(1) in file.concepts)) ctx.addIssue({ code: 'custom', path: ['concepts', name], message: `unknown concept "${ref}"` });
        }
      }
    }
    for (const [frame, rules] of Object.entries(file.frames)) {
      for (const name of rules.flatMap((r) => [...r.all, ...r.none])) {
        if (!(name in file.concepts) && !(name in BUILT_IN)) ctx.addIssue({ code: 'custom', path: ['frames', frame], message: `unknown concept "${name}"` });
      }
    }
  });

/** One word of a cue: its beginning, the whole word, its ending, any word of another concept, or any word at all. */
type WordCue = { kind: 'begins' | 'whole' | 'ends'; text: string } | { kind: 'concept'; name: string } | { kind: 'any' };
/** Consecutive words ("pa galv", "know where"). */
type Cue = WordCue[];

/**
 * A concept's cues, those whose first word has a known first letter filed under that letter: a word
 * is compared only with the cues it could begin (a message scan is words × cues, on every turn).
 */
interface Concept {
  /** A concept recognised from the written form rather than from cues (see BUILT_IN). */
  builtIn?: (sentence: string) => boolean;
  cues: Cue[];
  byInitial: Map<string, Cue[]>;
  anyInitial: Cue[];
}

interface Rule {
  all: Concept[];
  none: Concept[];
  maxWords: number | undefined;
  within: 'sentence' | 'message';
}

export interface Frames {
  rules: ReadonlyMap<FrameName, readonly Rule[]>;
  concepts: ReadonlyMap<string, Concept>;
}

// A person named by first name and surname ("Jāņa Bērziņa", "Līga Vītola"): two capitalised words
// after the start of a sentence. Whose data is asked for is what makes a request protected, and
// nobody can list the names citizens will write.
const PERSON_NAME = /(?<=\p{L}[\s,:]+)\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+/u;
const BUILT_IN: Readonly<Record<string, Concept>> = {
  personName: { builtIn: (sentence) => PERSON_NAME.test(sentence), cues: [], byInitial: new Map(), anyInitial: [] },
};

/** "=word" whole, "~iet" an ending, "@concept" any word of that concept, "*" any word, else a beginning; per word. */
function cue(entry: string): Cue {
  return entry.split(/\s+/).map((part): WordCue => {
    if (part === ANY_WORD) return { kind: 'any' };
    if (part.startsWith('@')) return { kind: 'concept', name: part.slice(1) };
    const kind = part.startsWith('=') ? 'whole' : part.startsWith('~') ? 'ends' : 'begins';
    return { kind, text: fold(kind === 'begins' ? part : part.slice(1)) };
  });
}

function conceptOf(cues: Cue[]): Concept {
  const byInitial = new Map<string, Cue[]>();
  const anyInitial: Cue[] = [];
  for (const c of cues) {
    const first = c[0]!;
    const initial = first.kind === 'begins' || first.kind === 'whole' ? first.text[0] : undefined;
    if (initial === undefined) anyInitial.push(c);
    else byInitial.set(initial, [...(byInitial.get(initial) ?? []), c]);
  }
  return { cues, byInitial, anyInitial };
}

export function loadFrames(file: string): Frames {
  const parsed = framesFile.parse(parseYaml(readFileSync(file, 'utf8')));
  // Cyrillic cues also match in their Latin spellings ("соедин" → "soedin").
  const spelled = (list: string[]) => list.flatMap((e) => withLatinSpellings(e, isLatvianWord));
  const concepts = new Map(Object.entries(parsed.concepts).map(([name, list]) => [name, conceptOf(spelled(list).map(cue))]));
  const concept = (name: string): Concept => concepts.get(name) ?? BUILT_IN[name]!;
  const rules = new Map<FrameName, Rule[]>();
  for (const [frame, list] of Object.entries(parsed.frames) as [FrameName, z.infer<typeof rule>[]][]) {
    rules.set(
      frame,
      list.map((r) => ({ all: r.all.map(concept), none: r.none.map(concept), maxWords: r.maxWords, within: r.within })),
    );
  }
  return { rules, concepts };
}

function wordMatches(word: string, part: WordCue, concepts: Frames['concepts']): boolean {
  switch (part.kind) {
    case 'whole':
      return word === part.text;
    case 'ends':
      return word.length > part.text.length && word.endsWith(part.text);
    case 'begins':
      return word.startsWith(part.text);
    case 'any':
      return true;
    case 'concept':
      // One word of the named concept ("par manu @someoneElse"); its phrases do not nest.
      return (concepts.get(part.name)?.cues ?? []).some((c) => c.length === 1 && c[0]!.kind !== 'concept' && wordMatches(word, c[0]!, concepts));
  }
}

function matchesAt(words: readonly string[], at: number, c: Cue, concepts: Frames['concepts']): boolean {
  return c.every((part, i) => {
    const word = words[at + i];
    return word !== undefined && wordMatches(word, part, concepts);
  });
}

function mentions(words: readonly string[], concept: Concept, concepts: Frames['concepts']): boolean {
  const meets = (at: number) => (c: Cue) => matchesAt(words, at, c, concepts);
  return words.some((word, at) => (concept.byInitial.get(word[0]!) ?? []).some(meets(at)) || concept.anyInitial.some(meets(at)));
}

/** Whether a text mentions a concept, each concept looked up once: rules share concepts. */
function mentionsIn(text: string, concepts: Frames['concepts'], words = foldedWords(text)): (concept: Concept) => boolean {
  const known = new Map<Concept, boolean>();
  return (concept) => {
    let found = known.get(concept);
    if (found === undefined) known.set(concept, (found = concept.builtIn ? concept.builtIn(text) : mentions(words, concept, concepts)));
    return found;
  };
}

// Sentences: a frame's parts belong together only within one.
const SENTENCE_END = /[.!?;]+(?:\s|$)|\n+/u;

const foldedWords = (text: string): string[] => fold(text).split(' ').filter(Boolean);

/** The frames a message fits, in the order of FRAME_NAMES. */
export function framesOf(text: string, frames: Frames): FrameName[] {
  const unmasked = unmask(text);
  const all = foldedWords(unmasked);
  if (all.length === 0) return [];
  const inMessage = mentionsIn(unmasked, frames.concepts, all);
  const inSentences = unmasked.split(SENTENCE_END).map((s) => mentionsIn(s, frames.concepts));
  const contentWords = all.filter((w) => !isStopword(w)).length;
  return FRAME_NAMES.filter((name) =>
    (frames.rules.get(name) ?? []).some(
      (r) =>
        (r.maxWords === undefined || contentWords <= r.maxWords) &&
        !r.none.some(inMessage) &&
        // A concept missing from the message is missing from each of its sentences.
        r.all.every(inMessage) &&
        (r.within === 'message' || inSentences.some((has) => r.all.every(has))),
    ),
  );
}
