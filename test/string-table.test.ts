// The string table must answer exactly as the Maps it replaced: every gram its value, any other
// string -1, whatever the letters (diacritics, Cyrillic) and however full its slots.
import { describe, expect, it } from 'vitest';
import { IntTable, StringTable } from '../knowledge/string-table.js';
import { GramTable, packed, packedGram } from '../knowledge/gram-layer.js';
import { charGrams } from '../knowledge/grams.js';
import { prng } from './support/prng.js';

describe('StringTable', () => {
  it('finds every gram of real texts with its value, and nothing else', () => {
    const texts = ['Kā iesniegt sūdzību par kaimiņa videokameru?', 'Как подать жалобу на соседа', 'datu aizsardzības speciālists', 'ģimenes ārsts ūdens'];
    const map = new Map<string, number>();
    for (const t of texts) for (const gram of charGrams(t).keys()) if (!map.has(gram)) map.set(gram, map.size * 7);
    const table = new StringTable(map);
    expect(table.size).toBe(map.size);
    for (const [gram, value] of map) expect(table.get(gram)).toBe(value);
    for (const other of ['<xyz', 'ūdeņ', 'sūdz>', '<kā>x', '', 'a', 'подат']) expect(table.get(other)).toBe(map.get(other) ?? -1);
  });

  it('agrees with a Map on many random grams, present and absent', () => {
    const rand = prng(7);
    const letters = 'aābcčdeēfgģhiījkķlļmnņoprsštuūvzž<>';
    const gram = () => Array.from({ length: 3 + Math.floor(rand() * 3) }, () => letters[Math.floor(rand() * letters.length)]).join('');
    const map = new Map<string, number>();
    while (map.size < 5000) map.set(gram(), map.size);
    const table = new StringTable(map);
    for (const [g, v] of map) expect(table.get(g)).toBe(v);
    for (let i = 0; i < 5000; i++) {
      const g = gram();
      expect(table.get(g)).toBe(map.get(g) ?? -1);
    }
  });

  it('an empty table has nothing', () => {
    expect(new StringTable([]).get('<ab')).toBe(-1);
  });
});

describe('packed grams and the IntTable', () => {
  it('packs grams of Latin letters, digits and word marks into distinct numbers, and no other gram', () => {
    const rand = prng(11);
    const letters = '<>abcdefghijklmnopqrstuvwxyz0123456789';
    const seen = new Map<number, string>();
    for (let i = 0; i < 20_000; i++) {
      const gram = Array.from({ length: 3 + Math.floor(rand() * 3) }, () => letters[Math.floor(rand() * letters.length)]).join('');
      const code = packed(gram);
      expect(code).toBeGreaterThan(0);
      expect(code).toBeLessThan(2 ** 30);
      // Two grams, of one length or two, never share a number.
      expect(seen.get(code) ?? gram).toBe(gram);
      seen.set(code, gram);
    }
    for (const gram of ['<ūd', 'sūdz', 'под', 'a b', 'ab-c', 'ABC']) expect(packed(gram), gram).toBe(-1);
    // In place, as a question's grams are read: the same number as the gram alone.
    expect(packedGram('<datu>', 1, 4)).toBe(packed('datu'));
  });

  it('agrees with a Map on many packed grams, present and absent', () => {
    const rand = prng(13);
    const letters = 'abcdefghijklmnoprstuvz<>';
    const gram = () => Array.from({ length: 3 + Math.floor(rand() * 3) }, () => letters[Math.floor(rand() * letters.length)]).join('');
    const map = new Map<number, number>();
    while (map.size < 5000) map.set(packed(gram()), map.size * 3);
    const table = new IntTable(map);
    for (const [code, v] of map) expect(table.get(code)).toBe(v);
    for (let i = 0; i < 5000; i++) {
      const code = packed(gram());
      expect(table.get(code)).toBe(map.get(code) ?? -1);
    }
    expect(new IntTable([]).get(packed('<ab'))).toBe(-1);
    expect(() => new IntTable([[0, 1]])).toThrow(RangeError);
  });
});

describe('GramTable', () => {
  it('finds every gram with its id, by number where it packs and by its letters where not', () => {
    const grams = new Map<string, number>();
    for (const t of ['datu aizsardzība 2024', 'Как подать жалобу', 'naïve café'])
      for (const gram of charGrams(t).keys()) if (!grams.has(gram)) grams.set(gram, grams.size);
    const table = new GramTable(grams);
    let unpacked = 0;
    for (const [gram, id] of grams) {
      const code = packed(gram);
      if (code < 0) unpacked++;
      expect(table.idOf(code, code < 0 ? gram : ''), gram).toBe(id);
    }
    expect(unpacked).toBeGreaterThan(0);
    for (const other of ['<xyz', 'под>', 'zzzz']) expect(table.idOf(packed(other), other)).toBe(-1);
  });
});
