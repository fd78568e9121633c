// The VISC agency (knowledge/agencies/visc) through the real bot: an answer, a clarifying question, a
// referral, a person offered, and the hours. Expectations come from VISC's own knowledge files (read
// through the running bot), so a keeper editing an answer or the hours does not have to edit this test
// – only a change in what the bot does with them fails it.
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBot, type InProcessBot } from '../bot/cli/in-process.js';
import type { AppDeps } from '../bot/app.js';
import { createCalendar } from '../bot/handover/index.js';
import { formatWhen } from '../bot/i18n.js';
import { findEmergency } from '../knowledge/decide.js';
import { buttons, press, texts } from './support/bot.js';

// Monday 23 November 2026, 10:00 in Riga: inside the hours VISC's profile gives.
const IN_HOURS = new Date('2026-11-23T08:00:00Z');
// Saturday 21 November 2026, 10:00 in Riga: no hours on Saturdays.
const WEEKEND = new Date('2026-11-21T08:00:00Z');

let bot: InProcessBot;
afterEach(async () => bot?.close());

function viscBot(deps: AppDeps = {}): InProcessBot {
  return createInProcessBot({ LOG_LEVEL: 'silent', AGENCY: 'visc', AGENCIES: 'visc', KNOWLEDGE_DIR: './knowledge' }, deps);
}
const knowledge = () => bot.app.knowledge.current;
const lv = () => bot.app.texts.forLanguage('lv');
const entry = (id: string) => {
  const found = knowledge().entries.get(id);
  if (!found) throw new Error(`no entry ${id} in the visc knowledge`);
  return found;
};
/** "09:00" as a Latvian text writes it: "9.00". */
const latvianClock = (clock: string) => clock.replace(/^0(\d)/, '$1').replace(':', '.');

async function staffOnline() {
  const added = await bot.app.handover.directory.add({ name: 'Ilze', login: 'ilze', languages: ['lv'], role: 'staff', password: 'correct horse battery' });
  if (!added.ok) throw new Error(added.message);
  await bot.app.handover.service.seen(added.value);
}

describe('VISC: greeting and answers', () => {
  it('greets in the name of the centre', async () => {
    bot = viscBot();
    const greeting = texts(await bot.join('c'));
    expect(greeting).toContain(knowledge().profile.nameGenitive!.lv);
  });

  it('answers the duplicate-certificate question from its entry, with the source and "did it help?"', async () => {
    bot = viscBot();
    const { decision, replies } = await bot.say('Kā saņemt centralizētā eksāmena sertifikāta dublikātu?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'visc.ce-duplicate' } });
    const said = texts(replies);
    expect(said).toContain(entry('visc.ce-duplicate').answer.lv.trim().slice(0, 60));
    expect(said).toMatch(/https:\/\//);
    expect(
      buttons(replies)
        .slice(0, 2)
        .map((b) => b.title),
    ).toEqual([lv()('feedback.yes'), lv()('feedback.no')]);
  });

  it('answers a question about the state language test fee', async () => {
    bot = viscBot();
    const { decision, replies } = await bot.say('Cik maksā valsts valodas prasmes pārbaude?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'visc.vvpp-fee' } });
    expect(texts(replies)).toContain(entry('visc.vvpp-fee').answer.lv.trim().slice(0, 60));
  });
});

describe('VISC: phrasings', () => {
  it("no question VISC's entries are written for would be sent to 112 by an emergency word", () => {
    // Emergency words win before anything else: a phrasing such as "the certificate burned in a fire"
    // would teach keepers a question the bot answers with 112 first.
    bot = viscBot();
    const questions = [...knowledge().entries.values()].flatMap((e) => e.questions.lv);
    expect(questions.length).toBeGreaterThan(300);
    expect(questions.filter((q) => findEmergency(q, knowledge()) !== undefined)).toEqual([]);
  });
});

describe('VISC: a short question that fits two entries', () => {
  it('"dublikāts" asks which duplicate is meant: the exam certificate or the language certificate', async () => {
    bot = viscBot();
    const { decision, replies } = await bot.say('dublikāts', 'c');
    const d = decision?.decision;
    expect(d?.kind).toBe('clarify');
    const offered = d?.kind === 'clarify' ? d.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : [];
    expect(offered).toEqual(expect.arrayContaining(['visc.ce-duplicate', 'visc.vvpp-duplicate']));
    const actions = buttons(replies);
    expect(actions.length).toBeLessThanOrEqual(4);
    expect(actions.at(-1)?.title).toBe(lv()('clarify.none'));
    // Choosing the first offer answers with that entry.
    const chosen = (actions[0]!.value as { id: string }).id;
    const after = await press(bot, actions[0]!, 'c');
    expect(texts(after.replies)).toContain(entry(chosen).answer.lv.trim().slice(0, 60));
  });
});

describe('VISC: a question for another body (R2)', () => {
  it('a tax return is referred to the State Revenue Service, named with its contacts', async () => {
    bot = viscBot();
    const { decision, replies } = await bot.say('Kā iesniegt gada ienākumu deklarāciju?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'refer', authority: { id: 'vid' } });
    const vid = knowledge().authorities.get('vid')!;
    const card = replies.flatMap((r) => r.attachments ?? [])[0];
    expect((card?.content as { title: string } | undefined)?.title).toBe(vid.name.lv);
    expect(JSON.stringify(card?.content)).toContain(vid.contacts.website!);
  });

  it('the naturalisation test is the Office of Citizenship and Migration Affairs', async () => {
    bot = viscBot();
    const { decision } = await bot.say('Kur kārtot naturalizācijas eksāmenu Latvijas pilsonības iegūšanai?', 'c');
    const d = decision?.decision;
    // Referred, or offered beside VISC's own entries; never answered as if it were VISC's test.
    const ids = d?.kind === 'refer' ? [d.authority.id] : d?.kind === 'clarify' ? d.candidates.map((c) => (c.kind === 'authority' ? c.authority.id : '')) : [];
    expect(ids).toContain('pmlp');
  });
});

describe('VISC: asking for a person', () => {
  it('in hours with staff online: consent first, before anything is passed on (R8)', async () => {
    bot = viscBot({ now: () => IN_HOURS });
    await staffOnline();
    const ask = await bot.say('Gribu runāt ar darbinieku', 'c');
    expect(ask.decision?.decision.kind).toBe('handover');
    expect(texts(ask.replies)).toBe(lv()('handover.consent'));
  });
});

describe("VISC: the hours are the profile's", () => {
  it('the hours entry states every interval of the profile', async () => {
    bot = viscBot();
    const { decision, replies } = await bot.say('Kāds ir jūsu darba laiks?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'visc.visit' } });
    const said = texts(replies);
    const intervals = Object.values(knowledge().profile.chatHours.hours).flat();
    expect(intervals.length).toBeGreaterThan(0);
    for (const [from, to] of intervals) expect(said).toContain(`${latvianClock(from)}–${latvianClock(to)}`);
  });

  it('outside hours the citizen is told when staff are there again, and may leave a question', async () => {
    bot = viscBot({ now: () => WEEKEND });
    const { replies } = await bot.say('Gribu runāt ar cilvēku', 'c');
    const said = texts(replies);
    const profile = knowledge().profile;
    const calendar = createCalendar({ timeZone: profile.timeZone, hours: profile.chatHours.hours, holidayOverrides: profile.holidayOverrides });
    const opening = calendar.nextOpening(WEEKEND)!;
    // The next opening is Monday's first interval of the profile.
    expect(formatWhen(opening, WEEKEND, 'lv', profile.timeZone)).toContain(`plkst. ${latvianClock(profile.chatHours.hours.mon[0]![0])}`);
    expect(said).toContain(lv()('handover.nextOpening', { date: formatWhen(opening, WEEKEND, 'lv', profile.timeZone) }).trim());
    expect(said).toContain(lv()('time.withinWorkingDays', { count: profile.answerWithinWorkingDays }));
    expect(said).not.toContain(lv()('handover.consent'));
  });
});
