// Recognises abusive messages (rule R6) from a word list kept as data, robust to missing diacritics,
// inflection (word beginnings) and letter substitutions ("1d10ts").
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fold } from './normalise.js';

const lexiconFile = z.record(
  z.string(),
  z.object({ prefix: z.array(z.string().min(2)).default([]), word: z.array(z.string().min(2)).default([]) }).strict(),
);

export interface AbuseLexicon {
  prefixes: string[];
  words: Set<string>;
}

export function loadAbuseLexicon(file: string): AbuseLexicon {
  const parsed = lexiconFile.parse(parseYaml(readFileSync(file, 'utf8')));
  const lists = Object.values(parsed);
  return {
    prefixes: lists.flatMap((l) => l.prefix.map(fold)),
    words: new Set(lists.flatMap((l) => l.word.map(fold))),
  };
}

const SUBSTITUTIONS: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/** Undo letter substitutions inside words and squeeze letters repeated three or more times. */
export function unmask(text: string): string {
  return text
    .replace(/(?<=\p{L})[013457@$!]+(?=\p{L})|(?<=\p{L})[013457@$]+\b|\b[013457@$]+(?=\p{L})/gu, (m) =>
      [...m].map((c) => SUBSTITUTIONS[c] ?? c).join(''),
    )
    .replace(/(\p{L})\1{2,}/gu, '$1');
}

export function isAbusive(text: string, lexicon: AbuseLexicon): boolean {
  const folded = fold(unmask(text));
  if (folded === '') return false;
  return folded.split(' ').some((w) => lexicon.words.has(w) || lexicon.prefixes.some((p) => w.startsWith(p)));
}
