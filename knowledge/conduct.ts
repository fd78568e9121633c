// Recognises abusive messages (rule R6) from word lists kept as data, robust to missing diacritics,
// inflection (word beginnings) and letter substitutions ("1d10ts").
//
// An insult is abuse when it is aimed at the conversation: the message addresses the bot, the staff
// or the agency ("jūs esat idioti", "stupid bot"), or is nothing but the insult ("idioti!"). An
// insult about someone else ("mans kaimiņš ir idiots, viņš filmē manu pagalmu") is a client letting
// off steam about the problem: the standard says let them express it, so that is upset, not abuse.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fold } from './normalise.js';
import { isLatvianWord } from './latvian-words.js';
import { withLatinSpellings } from './transliterate.js';

const wordList = z
  .object({
    prefix: z.array(z.string().min(2)).default([]),
    word: z.array(z.string().min(1)).default([]),
    /** Words that aim the message at the conversation: "you", "bot", the agency's staff. */
    address: z.array(z.string().min(1)).default([]),
  })
  .strict();
const lexiconFile = z.record(z.string(), wordList);

export interface WordList {
  prefixes: string[];
  words: Set<string>;
}

export interface ConductLexicon {
  insults: WordList;
  address: WordList;
}

/**
 * Entries of `address` ending in "*" are word beginnings ("inspekcij*"); the others whole words.
 * Cyrillic entries also match in their Latin spellings ("сука" → "suka").
 */
export function loadConductLexicon(file: string): ConductLexicon {
  const lists = Object.values(lexiconFile.parse(parseYaml(readFileSync(file, 'utf8'))));
  const spelled = (entries: string[]) => entries.flatMap((e) => withLatinSpellings(e, isLatvianWord));
  const address = lists.flatMap((l) => spelled(l.address));
  return {
    insults: {
      prefixes: lists.flatMap((l) => spelled(l.prefix).map(fold)),
      words: new Set(lists.flatMap((l) => spelled(l.word).map(fold))),
    },
    address: {
      prefixes: address.filter((a) => a.endsWith('*')).map((a) => fold(a.slice(0, -1))),
      words: new Set(address.filter((a) => !a.endsWith('*')).map(fold)),
    },
  };
}

const SUBSTITUTIONS: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/** Undo letter substitutions inside words and squeeze letters repeated three or more times. */
export function unmask(text: string): string {
  return text
    .replace(/(?<=\p{L})[013457@$!]+(?=\p{L})|(?<=\p{L})[013457@$]+\b|\b[013457@$]+(?=\p{L})/gu, (m) => [...m].map((c) => SUBSTITUTIONS[c] ?? c).join(''))
    .replace(/(\p{L})\1{2,}/gu, '$1');
}

/** A message this short that holds an insult is the insult itself ("idioti!", "fuck off"). */
const BARE_INSULT_WORDS = 3;
/**
 * An address aims an insult in the same clause ("you are a useless piece of garbage"); in another
 * clause it usually belongs to another thought ("can you help, my neighbour is an idiot").
 */
const CLAUSE_BREAK = /[,.;:!?()]+|\s(?:un|bet|jo|and|but|because|и|но)\s/iu;

/** The first one or two words of a message, when a comma or an exclamation mark follows them. */
const VOCATIVE = /^\s*(\p{L}+(?:\s+\p{L}+)?)\s*[,!]/u;
/** … and the last one or two, after a comma ("я тебя найду, мразь"). */
const CLOSING_VOCATIVE = /,\s*(\p{L}+(?:\s+\p{L}+)?)\s*[.!?]*\s*$/u;

export type Tone = 'abusive' | 'upset' | 'calm';

function has(list: WordList, word: string): boolean {
  return list.words.has(word) || list.prefixes.some((p) => word.startsWith(p));
}

/** Abusive (an insult aimed at the conversation), upset (insulting someone else, or upset words), or calm. */
export function toneOf(text: string, lexicon: ConductLexicon, upset: WordList): Tone {
  const unmasked = unmask(text);
  const words = fold(unmasked).split(' ').filter(Boolean);
  if (!words.some((w) => has(lexicon.insults, w))) return words.some((w) => has(upset, w)) ? 'upset' : 'calm';
  if (words.length <= BARE_INSULT_WORDS) return 'abusive';
  // An insult that opens or closes the message, set off by a comma, calls the reader by it ("уроды, …").
  const called = [VOCATIVE.exec(unmasked)?.[1], CLOSING_VOCATIVE.exec(unmasked)?.[1]].filter((c) => c !== undefined);
  if (
    called.some((c) =>
      fold(c)
        .split(' ')
        .some((w) => has(lexicon.insults, w)),
    )
  )
    return 'abusive';
  const aimed = unmasked.split(CLAUSE_BREAK).some((clause) => {
    const clauseWords = fold(clause).split(' ');
    return clauseWords.some((w) => has(lexicon.insults, w)) && clauseWords.some((w) => has(lexicon.address, w));
  });
  return aimed ? 'abusive' : 'upset';
}
