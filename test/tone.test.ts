// The tone of a message (knowledge/conduct.ts) with the shipped word lists, and the Latin spellings
// its Cyrillic entries are given (knowledge/transliterate.ts).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConductLexicon, toneOf } from '../knowledge/conduct.js';
import { isLatvianWord } from '../knowledge/latvian-words.js';
import { latinSpellings, withLatinSpellings } from '../knowledge/transliterate.js';

const dir = path.join(import.meta.dirname, '..', 'knowledge', 'conduct');
const lexicon = loadConductLexicon(path.join(dir, 'lexicon.yaml'));
const upset = loadConductLexicon(path.join(dir, 'upset.yaml')).insults;
const tone = (text: string) => toneOf(text, lexicon, upset);

describe('Latin spellings of Cyrillic entries', () => {
  it('gives the spellings people type, most common first', () => {
    const spellings = latinSpellings('жопа');
    expect(spellings[0]).toBe('zhopa');
    expect(spellings).toEqual(expect.arrayContaining(['zopa', 'jopa']));
    expect(latinSpellings('хуй')).toEqual(expect.arrayContaining(['huj', 'hui', 'khuj', 'xui']));
  });

  it('leaves out a spelling that is a Latvian word and keeps the marks around a cue', () => {
    expect(withLatinSpellings('гады', isLatvianWord)).not.toContain('gadi');
    expect(withLatinSpellings('=какой')).toContain('=kakoj');
    expect(withLatinSpellings('бот*')).toContain('bot*');
    expect(withLatinSpellings('idiots')).toEqual(['idiots']);
  });

  it('keeps the name of another concept a frame cue refers to', () => {
    expect(withLatinSpellings('=его @privateDetail')).toContain('=ego @privateDetail');
    expect(withLatinSpellings('о моей @someoneElse')).toContain('o moej @someoneElse');
  });
});

describe('tone', () => {
  it.each(['ty tupoj bot', 'vy vse tam suki', 'Tu esi stulbākais palīgs, kāds vien ir'])('"%s" is abusive', (text) => {
    expect(tone(text)).toBe('abusive');
  });

  it.each([
    // "gadi" (years) would be "гады" in Latin letters; it is not an insult.
    'jūs manu iesniegumu izskatāt jau divi gadi',
    'mans kaimiņš ir stulbs, viņš filmē manu pagalmu, ko lai daru?',
  ])('"%s" is not', (text) => {
    expect(tone(text)).not.toBe('abusive');
  });
});
