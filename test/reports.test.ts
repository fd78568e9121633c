// The agency's report, checked against a seeded set of conversations with known counts: the real
// bot answers them, the records it keeps are what the report counts.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessBot } from '../bot/cli/in-process.js';
import type { MemoryRecords } from '../bot/storage/records.js';
import { buildReport, formatReport, reportCsv, quarter } from '../bot/reports.js';
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

    const records = bot.app.records as MemoryRecords;
    const report = buildReport(
      { outcomes: records.outcomes, feedback: records.feedbacks, ratings: records.ratings, unanswered: records.questions, handovers: [], cases: [] },
      { from: new Date('2026-11-01'), to: new Date('2026-11-30'), now: clock.now },
      bot.app.knowledge.current,
    );
    expectSeededFigures(report);

    expect(formatReport(report)).toMatch(/Conversations\s+4/);
    expect(reportCsv(report).split('\n')).toContain('satisfaction,average,3.000');
  });

  it('handovers and cases: waiting times and deadlines met', () => {
    const t = (h: number) => new Date(Date.UTC(2026, 10, 23, h));
    const report = buildReport(
      {
        outcomes: [], feedback: [], ratings: [], unanswered: [],
        handovers: [{ createdAt: t(9), acceptedAt: new Date(t(9).getTime() + 4 * 60_000) }, { createdAt: t(10), acceptedAt: new Date(t(10).getTime() + 10 * 60_000) }, { createdAt: t(11) }],
        cases: [{ createdAt: t(9), dueBy: t(30), answeredAt: t(20) }, { createdAt: t(9), dueBy: t(12), answeredAt: t(14) }, { createdAt: t(9), dueBy: t(13) }],
      },
      { from: t(0), to: t(23), now: t(15) },
      { index: { search: () => ({ results: [] }) } } as never,
    );
    expect(report.handovers).toEqual({ count: 3, accepted: 2, medianWaitMinutes: 7, medianFirstReplyMinutes: null });
    expect(report.cases).toEqual({ count: 3, answered: 2, deadlinesMet: 1, overdue: 2 });
  });

  it('quarters', () => {
    expect(quarter(new Date('2026-03-31T12:00:00Z'))).toBe('2026 Q1');
    expect(quarter(new Date('2026-04-01T12:00:00Z'))).toBe('2026 Q2');
  });
});
