// The agency's report, checked against a seeded set of conversations with known counts: the real
// bot answers them, the records it keeps are what the report counts.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessBot } from '../bot/cli/in-process.js';
import type { MemoryRecords } from '../bot/storage/kept-records.js';
import { buildReport, formatReport, periodOfDays, reportCsv, quarter } from '../bot/service-report.js';
import { buttons, demoBot, press } from './support/bot.js';
import { expectSeededFigures, SEEDED_STEPS } from './support/seeded-report.js';

let bot: InProcessBot;
afterEach(async () => bot?.close());

describe('report', () => {
  it('counts what the bot did in a seeded set of conversations', async () => {
    const clock = { now: new Date('2026-11-23T09:00:00Z') };
    bot = demoBot({ now: () => clock.now });
    for (const step of SEEDED_STEPS) {
      const { replies } = await bot.say(step.say, step.conversation);
      if (step.press !== undefined) await press(bot, buttons(replies)[step.press]!, step.conversation);
    }
    // Over a channel the recording middleware deletes after the confirming turn; this adapter has
    // none, so the test does what it does (test/staff.reports.test.ts plays it over Direct Line).
    await bot.app.deleteConversation('c5');

    const records = bot.app.records as MemoryRecords;
    const report = buildReport(
      { outcomes: records.outcomes, feedback: records.feedbacks, ratings: records.ratings, unanswered: records.questions, handovers: [], cases: [] },
      { from: new Date('2026-11-01'), to: new Date('2026-11-30'), now: clock.now },
      bot.app.knowledge.current,
    );
    expectSeededFigures(report);
    // The deleted conversation's records no longer lead to it.
    expect(records.outcomes.map((o) => o.conversationId)).not.toContain('c5');
    expect(records.feedbacks.map((f) => f.conversationId)).not.toContain('c5');

    expect(formatReport(report)).toMatch(/Conversations\s+5/);
    expect(formatReport(report)).toMatch(/Message turns\s+11 \(the shares below are of these\)/);
    expect(reportCsv(report).split('\n')).toContain('satisfaction,average,3.000');
  });

  it('handovers and cases: waiting times and deadlines met', () => {
    const t = (h: number) => new Date(Date.UTC(2026, 10, 23, h));
    const report = buildReport(
      {
        outcomes: [],
        feedback: [],
        ratings: [],
        unanswered: [],
        handovers: [
          { createdAt: t(9), acceptedAt: new Date(t(9).getTime() + 4 * 60_000) },
          { createdAt: t(10), acceptedAt: new Date(t(10).getTime() + 10 * 60_000) },
          { createdAt: t(11) },
        ],
        cases: [
          { createdAt: t(9), dueBy: t(30), answeredAt: t(20) },
          { createdAt: t(9), dueBy: t(12), answeredAt: t(14) },
          { createdAt: t(9), dueBy: t(13) },
        ],
      },
      { from: t(0), to: t(23), now: t(15) },
      { profile: { timeZone: 'Europe/Riga' }, index: { search: () => ({ results: [] }) } } as never,
    );
    expect(report.handovers).toEqual({ count: 3, accepted: 2, medianWaitMinutes: 7, medianFirstReplyMinutes: null });
    expect(report.cases).toEqual({ count: 3, answered: 2, deadlinesMet: 1, overdue: 2 });
  });

  it("quarters and days are the agency's: in Riga the first of April begins at 21:00 UTC", () => {
    expect(quarter(new Date('2026-03-31T12:00:00Z'), 'Europe/Riga')).toBe('2026 Q1');
    expect(quarter(new Date('2026-03-31T21:30:00Z'), 'Europe/Riga')).toBe('2026 Q2');
    expect(periodOfDays('2026-04-01', '2026-04-30', 'Europe/Riga')).toEqual({ from: new Date('2026-03-31T21:00:00Z'), to: new Date('2026-04-30T21:00:00Z') });
    // Winter time: UTC+2.
    expect(periodOfDays('2026-12-01', '2026-12-01', 'Europe/Riga')).toEqual({ from: new Date('2026-11-30T22:00:00Z'), to: new Date('2026-12-01T22:00:00Z') });
  });

  it('a message sent at 00:30 in Riga on the first of a month counts in that month, and the report names Riga days', () => {
    const at = new Date('2026-11-30T22:30:00Z');
    const period = periodOfDays('2026-12-01', '2026-12-31', 'Europe/Riga');
    const report = buildReport(
      {
        outcomes: [{ conversationId: 'c', channel: 'directline', language: 'lv', kind: 'answer', entryId: 'dvi.consent', authorityIds: [], at }],
        feedback: [],
        ratings: [],
        unanswered: [],
        handovers: [],
        cases: [],
      },
      { ...period, now: at },
      { profile: { timeZone: 'Europe/Riga' }, index: { search: () => ({ results: [] }) } } as never,
    );
    expect(at >= period.from && at < period.to).toBe(true);
    expect([report.from, report.to]).toEqual(['2026-12-01', '2026-12-31']);
  });
});
