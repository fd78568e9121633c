// The Ādaži Municipality agency (knowledge/agencies/adazi) in conversations through the real bot:
// an answer with its source, a clarifying question, a referral, the offer of a person and the
// working calendar behind the promised answer date. Expected texts are read from the agency's own
// files (bot.app.knowledge.current) and the locale, so editing an answer does not break the test,
// while a question that no longer reaches its entry does.
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBot, type InProcessBot } from '../bot/cli/in-process.js';
import type { AppDeps } from '../bot/app.js';
import { addWorkingDays, createCalendar } from '../bot/handover/calendar.js';
import { formatUntil } from '../bot/i18n.js';
import { buttons, press, texts } from './support/bot.js';
import { findEmergency } from '../knowledge/decide.js';

let bot: InProcessBot;
afterEach(async () => bot?.close());

function adaziBot(deps: AppDeps = {}): InProcessBot {
  return createInProcessBot({ LOG_LEVEL: 'silent', AGENCY: 'adazi', AGENCIES: 'adazi', KNOWLEDGE_DIR: './knowledge' }, deps);
}

const lv = () => bot.app.texts.forLanguage('lv');
const knowledge = () => bot.app.knowledge.current;
const byValue = (replies: Parameters<typeof buttons>[0], match: object) =>
  buttons(replies).find((b) => JSON.stringify(b.value).includes(JSON.stringify(match).slice(1, -1)));

// Monday 23 November 2026, 10:00 in Riga: an ordinary working morning.
const MONDAY_MORNING = new Date('2026-11-23T08:00:00Z');
// Tuesday 17 November 2026, 10:00 in Riga: the next day, 18 November, is a public holiday.
const BEFORE_HOLIDAY = new Date('2026-11-17T08:00:00Z');

describe('Ādažu novada pašvaldība: answers from its own knowledge (R1)', () => {
  const table: [string, string][] = [
    ['Kā deklarēt dzīvesvietu Ādažos?', 'adazi.declare-residence'],
    ['Kā pieteikt bērnu rindā uz bērnudārzu Carnikavā?', 'adazi.kindergarten-queue'],
    ['Līdz kuram datumam jāsamaksā nekustamā īpašuma nodoklis?', 'adazi.property-tax'],
    ['Kā iesniegt iesniegumu Ādažu novada domei?', 'adazi.submit-application'],
  ];
  it.each(table)('"%s" → %s, with its answer, its source link and "did it help?"', async (question, entryId) => {
    bot = adaziBot();
    const { decision, replies } = await bot.say(question, 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: entryId } });
    const entry = knowledge().entries.get(entryId)!;
    const said = texts(replies);
    expect(said).toContain(entry.answer.lv.trim().split('\n')[0]!);
    expect(said).toContain(entry.links[0]!.url);
    expect(
      buttons(replies)
        .slice(0, 2)
        .map((b) => b.title),
    ).toEqual([lv()('feedback.yes'), lv()('feedback.no')]);
  });

  it('greets as the municipality, says it is automated and offers no other language (staff: Latvian only, R3)', async () => {
    bot = adaziBot();
    const greeting = await bot.join('g');
    const { nameGenitive, staffLanguages } = knowledge().profile;
    expect(staffLanguages).toEqual(['lv']);
    expect(texts(greeting)).toContain(nameGenitive!.lv);
    expect(texts(greeting)).toContain('automatizēta programma');
    expect(buttons(greeting)).toEqual([]);
  });
});

describe('Ādažu novada pašvaldība: a clarifying question when a message is too short to place', () => {
  it('"bērnudārzs" offers the kindergarten entries by their own first questions, then answers the choice', async () => {
    bot = adaziBot();
    const { decision, replies } = await bot.say('bērnudārzs', 'c');
    expect(decision?.decision.kind).toBe('clarify');
    const offered = decision?.decision.kind === 'clarify' ? decision.decision.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : [];
    expect(offered).toContain('adazi.kindergarten-queue');
    const actions = buttons(replies);
    expect(actions.length).toBeLessThanOrEqual(4);
    expect(actions.at(-1)?.title).toBe(lv()('clarify.none'));
    const queue = knowledge().entries.get('adazi.kindergarten-queue')!;
    const choice = actions.find((a) => a.title === queue.questions.lv[0]);
    expect(choice).toBeDefined();
    const chosen = await press(bot, choice!, 'c');
    expect(texts(chosen.replies)).toContain(queue.answer.lv.trim().split('\n')[0]!);
  });
});

describe('Ādažu novada pašvaldība: referrals to the competent state body (R2)', () => {
  const table: [string, string][] = [
    ['Kā pagarināt pasi?', 'pmlp'],
    ['Kur iesniegt gada ienākumu deklarāciju?', 'vid'],
    ['Kā pieprasīt vecuma pensiju?', 'vsaa'],
  ];
  it.each(table)('"%s" → %s, as a card with the body\'s own name and website', async (question, authorityId) => {
    bot = adaziBot();
    const { decision, replies } = await bot.say(question, 'c');
    expect(decision?.decision).toMatchObject({ kind: 'refer', authority: { id: authorityId } });
    const authority = knowledge().authorities.get(authorityId)!;
    const card = replies.flatMap((r) => r.attachments ?? [])[0];
    expect((card?.content as { title: string } | undefined)?.title).toBe(authority.name.lv);
    expect(JSON.stringify(card?.content)).toContain(authority.contacts.website!);
  });
});

describe('Ādažu novada pašvaldība: asking for a person (R4, R8, R15)', () => {
  it("with no published chat hours nobody is offered live: leaving the question, answered within the profile's working days", async () => {
    bot = adaziBot({ now: () => MONDAY_MORNING });
    const { hours } = knowledge().profile.chatHours;
    expect(Object.values(hours).every((day) => day.length === 0)).toBe(true);
    const asked = await bot.say('Gribu runāt ar darbinieku', 'c');
    expect(asked.decision?.decision.kind).toBe('handover');
    const due = lv()('time.withinWorkingDays', { count: knowledge().profile.answerWithinWorkingDays });
    // Not "do you agree to be handed over?" for a handover that cannot happen, and no opening time.
    expect(texts(asked.replies)).not.toContain(lv()('handover.consent'));
    expect(texts(asked.replies)).toBe(lv()('handover.offline', { opening: '', due }));
    expect(byValue(asked.replies, { action: 'case-start' })).toBeDefined();
  });
});

describe('Ādažu novada pašvaldība: the working calendar behind the promised date (R4, R16)', () => {
  it('a question left before a public holiday is promised by the next working day after it', async () => {
    bot = adaziBot({ now: () => BEFORE_HOLIDAY });
    const profile = knowledge().profile;
    const calendar = createCalendar({ timeZone: profile.timeZone, hours: profile.chatHours.hours, holidayOverrides: profile.holidayOverrides });
    const dueBy = addWorkingDays(BEFORE_HOLIDAY, profile.answerWithinWorkingDays, calendar);
    // 18 November is Latvia's Proclamation Day: the promise skips it.
    expect(calendar.isWorkingDay('2026-11-18')).toBe(false);
    expect(calendar.dayOf(dueBy) > '2026-11-18').toBe(true);

    const asked = await bot.say('Gribu runāt ar cilvēku', 'c');
    await press(bot, byValue(asked.replies, { action: 'case-start' })!, 'c');
    expect(texts((await bot.say('vards@example.lv', 'c')).replies)).toBe(lv()('handover.askQuestion'));
    const consent = await bot.say('Vai mūsu ielā Kadagā plānots ierīkot apgaismojumu?', 'c');
    const registered = await press(bot, byValue(consent.replies, { agree: true })!, 'c');
    expect(texts(registered.replies)).toContain(formatUntil(dueBy, 'lv', profile.timeZone));
    const [kase] = await bot.app.handover.repo.cases('adazi', 'open');
    expect(kase?.dueAt.toISOString()).toBe(dueBy.toISOString());
  });
});

describe('Ādažu novada pašvaldība: emergency words', () => {
  it('no phrasing of its own entries would be sent to 112 (an emergency keyword wins before anything else)', () => {
    bot = adaziBot();
    const phrasings = [...knowledge().entries.values()].flatMap((e) => Object.values(e.questions).flatMap((list) => list ?? []));
    expect(phrasings.length).toBeGreaterThan(300);
    expect(phrasings.filter((q) => findEmergency(q, knowledge()) !== undefined)).toEqual([]);
  });
});
