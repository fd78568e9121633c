// The string table must answer exactly as the Maps it replaced: every gram its value, any other
// string -1, whatever the letters (diacritics, Cyrillic) and however full its slots.
import { describe, expect, it } from 'vitest';
import { StringTable } from '../knowledge/string-table.js';
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
