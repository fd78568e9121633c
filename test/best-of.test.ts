// BestOf must keep exactly what a stable sort of every offered item, best first, cut to its
// capacity, would keep: the matcher's candidates and results depend on its ties being in order.
import { describe, expect, it } from 'vitest';
import { BestOf } from '../knowledge/best-of.js';
import { prng } from './support/prng.js';

function bySort(offers: readonly [number, number][], capacity: number): [number, number][] {
  return [...offers].sort((a, b) => b[1] - a[1]).slice(0, capacity);
}

function kept(best: BestOf): [number, number][] {
  return Array.from({ length: best.count }, (_, k) => [best.ids[k]!, best.scores[k]!] as [number, number]);
}

describe('BestOf', () => {
  it('keeps the best of many offers, ties in the order offered, as a stable sort would', () => {
    const rand = prng(11);
    const best = new BestOf();
    for (let round = 0; round < 200; round++) {
      const capacity = 1 + Math.floor(rand() * 30);
      // Few distinct scores, so that ties are common.
      const offers = Array.from({ length: Math.floor(rand() * 120) }, (_, id) => [id, Math.floor(rand() * 12) / 4] as [number, number]);
      best.reset(capacity);
      for (const [id, score] of offers) best.offer(id, score);
      expect(kept(best)).toEqual(bySort(offers, capacity));
    }
  });

  it('is empty after a reset, and its threshold opens only once it is full', () => {
    const best = new BestOf().reset(2);
    best.offer(1, 0.5);
    expect(best.threshold).toBe(-Infinity);
    best.offer(2, 0.25);
    expect(best.threshold).toBe(0.25);
    expect(best.admits(0.25)).toBe(false); // an equal score does not displace an earlier item
    expect(best.admits(0.3)).toBe(true);
    best.offer(3, 0.75);
    expect(kept(best)).toEqual([
      [3, 0.75],
      [1, 0.5],
    ]);
    best.reset(40); // larger than the arrays it had: they grow
    expect(best.count).toBe(0);
    for (let id = 0; id < 40; id++) best.offer(id, id);
    expect(best.ids[0]).toBe(39);
    expect(best.count).toBe(40);
  });

  it('keeps nothing at capacity 0, and refuses a capacity that is not a whole number ≥ 0', () => {
    const best = new BestOf().reset(0);
    best.offer(1, 1);
    expect(best.count).toBe(0);
    expect(best.threshold).toBe(Infinity);
    for (const bad of [-1, 2.5, Infinity, NaN]) expect(() => best.reset(bad)).toThrow(RangeError);
  });

  it('keeps a NaN while there is room, as an array would, and never lets it displace a number', () => {
    const best = new BestOf().reset(2);
    best.offer(1, NaN);
    best.offer(2, 0.5);
    expect(best.count).toBe(2);
    best.offer(3, NaN);
    expect(best.ids[0]).toBe(1);
    expect([...best.ids.subarray(0, 2)]).toEqual([1, 2]);
  });
});
