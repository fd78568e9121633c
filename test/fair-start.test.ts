// Requests start a few per event-loop iteration, in arrival order (bot/http/fair-start.ts).
import { describe, expect, it } from 'vitest';
import type restify from 'restify';
import { fairStart } from '../bot/http/fair-start.js';

const nextIteration = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('fairStart', () => {
  it('starts at most N requests per loop iteration, first come first started, none inline', async () => {
    const fair = fairStart(3);
    const started: number[] = [];
    for (let i = 0; i < 7; i++) fair.pre({} as restify.Request, {} as restify.Response, (() => started.push(i)) as restify.Next);
    // Nothing runs where it was read: the read loop iteration stays short.
    expect(started).toEqual([]);
    expect(fair.waiting()).toBe(7);
    const perIteration: number[] = [];
    while (started.length < 7) {
      const before = started.length;
      await nextIteration();
      perIteration.push(started.length - before);
    }
    expect(Math.max(...perIteration)).toBeLessThanOrEqual(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(fair.waiting()).toBe(0);
  });

  it('refuses a nonsensical setting', () => {
    expect(() => fairStart(0)).toThrow(/positive integer/);
  });
});
