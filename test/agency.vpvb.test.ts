// The Environment State Bureau (knowledge/agencies/vpvb) as a citizen meets it: an answer, a
// clarifying question, a referral, asking for a person and the hours. Every expected value is read
// from the agency's own files (bot.app.knowledge.current), so the tests follow the knowledge keepers'
// edits instead of repeating their wording.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessBot } from '../bot/cli/in-process.js';
import { createInProcessBot } from '../bot/cli/in-process.js';
import type { AppDeps } from '../bot/app.js';
import { addWorkingDays, createCalendar } from '../bot/handover/index.js';
import { formatWhen } from '../bot/i18n.js';
import { buttons, press, texts } from './support/bot.js';

// Monday 7 December 2026, 10:00 in Riga: an ordinary working morning.
const WEEKDAY_MORNING = new Date('2026-12-07T08:00:00Z');
// Saturday 5 December 2026, 11:00 in Riga.
const SATURDAY = new Date('2026-12-05T09:00:00Z');

let bot: InProcessBot;
afterEach(async () => bot?.close());

function vpvbBot(deps: AppDeps = {}): InProcessBot {
  return createInProcessBot({ LOG_LEVEL: 'silent', AGENCY: 'vpvb', AGENCIES: 'vpvb', KNOWLEDGE_DIR: './knowledge' }, deps);
}

const knowledge = () => bot.app.knowledge.current;
const profile = () => knowledge().profile;
const lv = () => bot.app.texts.forLanguage('lv');
const entry = (id: string) => {
  const found = knowledge().entries.get(id);
  if (!found) throw new Error(`no entry ${id}`);
  return found;
};
/** The profile's handover calendar, as the staff side builds it. */
const calendar = () => createCalendar({ timeZone: profile().timeZone, hours: profile().chatHours.hours, holidayOverrides: profile().holidayOverrides });
const byValue = (replies: Parameters<typeof buttons>[0], match: object) =>
  buttons(replies).find((b) => JSON.stringify(b.value).includes(JSON.stringify(match).slice(1, -1)));

async function staffOnline(): Promise<void> {
  const added = await bot.app.handover.directory.add({
    name: 'Ilze',
    login: 'ilze',
    languages: ['lv', 'en'],
    role: 'staff',
    password: 'correct horse battery',
  });
  if (!added.ok) throw new Error(added.message);
  await bot.app.handover.service.seen(added.value);
}

describe('the Environment State Bureau answers from its own knowledge (R1)', () => {
  it('greets in its own name and offers the languages its staff speak', async () => {
    bot = vpvbBot();
    const greeting = await bot.join('c');
    expect(texts(greeting)).toContain(profile().nameGenitive!.lv);
    const offered = buttons(greeting).map((b) => (b.value as { to: string }).to);
    expect(offered).toEqual(profile().staffLanguages.filter((l) => l !== 'lv'));
  });

  const table: [string, string][] = [
    ['Vai manam projektam vajag ietekmes uz vidi novērtējumu?', 'vpvb.eia-when-needed'],
    ['vai saules parkam vajag ivn', 'vpvb.eia-when-needed'],
    ['Kā piedalīties sabiedriskajā apspriešanā par plānoto karjeru?', 'vpvb.public-consultation'],
    ['Kas ir stratēģiskais ietekmes uz vidi novērtējums?', 'vpvb.strategic-assessment'],
  ];
  it.each(table)('"%s" → %s, with its answer, a source link and "did it help?"', async (question, id) => {
    bot = vpvbBot();
    const { decision, replies } = await bot.say(question, 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id } });
    expect(texts(replies)).toContain(entry(id).answer.lv.trim().split('\n')[0]);
    expect(texts(replies)).toMatch(/https?:\/\//);
    expect(texts(replies)).toContain(lv()('feedback.ask'));
  });

  it('answers in English, the staff language the profile offers besides Latvian', async () => {
    bot = vpvbBot();
    const { decision, replies } = await bot.say('Does a wind farm need an environmental impact assessment?', 'c');
    expect(decision?.language).toBe('en');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'vpvb.eia-when-needed' } });
    expect(texts(replies)).toContain(entry('vpvb.eia-when-needed').answer.en!.trim().split('\n')[0]);
  });

  it('the contacts entry gives the same phone, e-mail and address as the profile, in both languages', () => {
    bot = vpvbBot();
    const { phone, email, address } = profile().contacts;
    for (const text of [entry('vpvb.contacts').answer.lv, entry('vpvb.contacts').answer.en!]) {
      for (const fact of [phone!, email!, address!]) expect(text).toContain(fact);
    }
  });
});

describe('clarifying questions', () => {
  it('a bare "IVN" offers the entries it could mean, each by its own first question, plus "none of these"', async () => {
    bot = vpvbBot();
    const { decision, replies } = await bot.say('IVN', 'c');
    const d = decision?.decision;
    expect(d?.kind).toBe('clarify');
    const ids = d?.kind === 'clarify' ? d.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : [];
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(ids.every((id) => id.startsWith('vpvb.'))).toBe(true);
    const titles = buttons(replies).map((b) => b.title);
    for (const id of ids) expect(titles).toContain(entry(id).questions.lv[0]);
    expect(titles.at(-1)).toBe(lv()('clarify.none'));
  });
});

describe('questions for other bodies (R2)', () => {
  it('a pollution report is referred to the State Environmental Service, named with its contacts', async () => {
    bot = vpvbBot();
    const { decision, replies } = await bot.say('Kaimiņu rūpnīca naktīs izlaiž smirdīgus dūmus, kur ziņot?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'refer', authority: { id: 'vvd' } });
    const vvd = knowledge().authorities.get('vvd')!;
    const cards = replies.flatMap((r) => r.attachments ?? []).map((a) => a.content as { title: string });
    expect(cards[0]?.title).toBe(vvd.name.lv);
    expect(JSON.stringify(cards[0])).toContain(vvd.contacts.website!);
    expect(texts(replies)).toContain(profile().nameGenitive!.lv);
  });

  it('the directory entry for the bureau itself is not among its referrals', () => {
    bot = vpvbBot();
    expect(knowledge().authorities.has('vpvb')).toBe(false);
  });
});

describe('asking for a person and the hours (R4, R16)', () => {
  it('on a working morning with staff online, a person is offered only within the profile’s chat hours', async () => {
    bot = vpvbBot({ now: () => WEEKDAY_MORNING });
    await staffOnline();
    const { decision, replies } = await bot.say('Gribu runāt ar cilvēku', 'c');
    expect(decision?.decision.kind).toBe('handover');
    if (calendar().isOpen(WEEKDAY_MORNING)) {
      expect(texts(replies)).toBe(lv()('handover.consent'));
    } else {
      expect(texts(replies)).not.toContain(lv()('handover.consent'));
      expect(byValue(replies, { action: 'case-start' })).toBeDefined();
    }
  });

  it('outside the hours the citizen is told when staff are next there (if ever) and when the answer comes', async () => {
    bot = vpvbBot({ now: () => SATURDAY });
    const { replies } = await bot.say('Gribu runāt ar cilvēku', 'c');
    const opening = calendar().nextOpening(SATURDAY);
    const due = lv()('time.withinWorkingDays', { count: profile().answerWithinWorkingDays });
    const expected = lv()('handover.offline', {
      opening: opening ? lv()('handover.nextOpening', { date: formatWhen(opening, SATURDAY, 'lv', profile().timeZone) }) : '',
      due,
    });
    expect(texts(replies)).toContain(expected);

    // Leaving the question: the promised date is the profile's working-day count from now.
    await press(bot, byValue(replies, { action: 'case-start' })!, 'c');
    await bot.say('iedzivotajs@example.lv', 'c');
    const consent = await bot.say('Vai mūsu kokapstrādes cehs jāpiesaka ietekmes uz vidi novērtējumam?', 'c');
    const registered = await press(bot, byValue(consent.replies, { agree: true })!, 'c');
    expect(texts(registered.replies)).toContain(due);
    const [kase] = await bot.app.handover.repo.cases('vpvb', 'open');
    expect(kase?.dueAt).toEqual(addWorkingDays(SATURDAY, profile().answerWithinWorkingDays, calendar()));
  });

  it('the hours question is answered by the contacts entry, which states the profile’s hours where it has any', async () => {
    bot = vpvbBot();
    const { decision, replies } = await bot.say('Kāds ir biroja darba laiks?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'vpvb.contacts' } });
    const hours = profile().contacts.hours?.lv;
    expect(texts(replies)).toContain(hours ?? entry('vpvb.contacts').answer.lv.trim().split('\n').at(-1)!);
  });
});
