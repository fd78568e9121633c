// One seeded set of conversations with known figures, played through the in-process bot
// (test/reports.test.ts) and over Direct Line to the running app (test/staff.reports.test.ts).
// Five citizens, eleven messages: five answers (two entries, two goodbyes), two referrals (VID,
// PMLP), a fallback, a complaint, a language not offered, a deletion asked for and confirmed; two
// "yes, it helped"; ratings of 4 and 2. The fifth conversation is deleted and still counts.
import { expect } from 'vitest';
import type { Report } from '../../bot/service-report.js';

/** A citizen's message, and the button of the bot's reply they press next, if any. */
export interface SeedStep {
  conversation: string;
  say: string;
  press?: number;
}

export const SEEDED_STEPS: readonly SeedStep[] = [
  { conversation: 'c1', say: 'Kā atsaukt piekrišanu datu apstrādei?', press: 0 }, // "did it help?": yes
  { conversation: 'c1', say: 'Kā ziņot par datu noplūdi?' },
  { conversation: 'c2', say: 'Kā iesniegt gada ienākumu deklarāciju?' },
  { conversation: 'c2', say: 'asdf qwerty zxcv' },
  { conversation: 'c3', say: 'Kā pagarināt pasi?' },
  { conversation: 'c3', say: 'Gribu sūdzēties' },
  { conversation: 'c3', say: 'Uz redzēšanos', press: 3 }, // rating 4
  { conversation: 'c4', say: 'Uz redzēšanos', press: 1 }, // rating 2
  // A fifth citizen is answered, says it helped, writes in a language not offered, then deletes the
  // conversation: its words go, its counts stay.
  { conversation: 'c5', say: 'Kā atsaukt piekrišanu datu apstrādei?', press: 0 },
  { conversation: 'c5', say: '¿Dónde puedo presentar una queja sobre mis datos personales?' },
  { conversation: 'c5', say: 'dzēst manu sarunu', press: 0 },
];

type SeededFigures = Pick<
  Report,
  'conversations' | 'turns' | 'shares' | 'topEntries' | 'referralsByAuthority' | 'helpful' | 'topUnanswered' | 'satisfaction' | 'complaintsByQuarter'
>;

/** The figures every report of SEEDED_STEPS (in November 2026) must show. */
export function expectSeededFigures(report: SeededFigures): void {
  expect(report.conversations).toBe(5);
  expect(report.turns).toBe(11);
  expect(report.shares.answered).toBeCloseTo(5 / 11);
  expect(report.shares.referred).toBeCloseTo(2 / 11);
  expect(report.shares.fallback).toBeCloseTo(1 / 11);
  expect(report.shares.clarified).toBeCloseTo(1 / 11);
  expect(report.shares.handover).toBe(0);
  // The language not offered and the deletion (asked, then confirmed).
  expect(report.shares.other).toBeCloseTo(2 / 11);
  // Every turn is counted once: the shares of the stated denominator add up.
  expect(Object.values(report.shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  expect(report.topEntries).toEqual([
    { entryId: 'dvi.consent', count: 2 },
    { entryId: 'dvi.breach-notification', count: 1 },
  ]);
  expect(report.referralsByAuthority).toEqual([
    { authorityId: 'pmlp', count: 1 },
    { authorityId: 'vid', count: 1 },
  ]);
  expect(report.helpful).toEqual({ yes: 2, no: 0 });
  expect(report.topUnanswered).toEqual([{ example: 'asdf qwerty zxcv', count: 1, closestEntryId: null }]);
  expect(report.satisfaction).toEqual({ count: 2, average: 3, distribution: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 0 } });
  expect(report.complaintsByQuarter).toEqual([{ quarter: '2026 Q4', count: 1 }]);
}
