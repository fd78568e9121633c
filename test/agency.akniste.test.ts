// The Aknīste state and municipal unified client service centre (knowledge/agencies/akniste/) through
// the real bot: an answer, a clarifying question, a referral, a person asked for, the hours. Expected
// values are read from the agency's own knowledge files, so the tests follow the files when staff
// edit them; only the choice of entry or authority is fixed here.
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBot, type InProcessBot } from '../bot/cli/in-process.js';
import { buttons, press, texts } from './support/bot.js';

// Monday 23 November 2026, 11:00 in Riga: a working day, so "nobody is there" below comes from the
// profile's empty chat hours, not from a weekend or a holiday.
const WORKING_DAY = new Date('2026-11-23T09:00:00Z');

let bot: InProcessBot;
afterEach(async () => bot?.close());

function aknisteBot(): InProcessBot {
  return createInProcessBot({ LOG_LEVEL: 'silent', AGENCY: 'akniste', AGENCIES: 'akniste', KNOWLEDGE_DIR: './knowledge' }, { now: () => WORKING_DAY });
}

const lv = () => bot.app.texts.forLanguage('lv');
const knowledge = () => bot.app.knowledge.current;
const entry = (id: string) => {
  const found = knowledge().entries.get(id);
  if (!found) throw new Error(`no entry ${id}`);
  return found;
};

describe('Aknīstes VPVKAC', () => {
  it('greets as the centre and offers no other language: its staff consult in Latvian only (R3)', async () => {
    bot = aknisteBot();
    const { profile } = knowledge();
    expect(profile.staffLanguages).toEqual(['lv']);
    const greeting = await bot.join('greet');
    expect(texts(greeting)).toContain(profile.nameGenitive!.lv);
    expect(buttons(greeting).filter((b) => (b.value as { action?: string } | undefined)?.action === 'language')).toEqual([]);
  });

  it('answers a request for help with a pension application from its own entry, with the source link', async () => {
    bot = aknisteBot();
    const { decision, replies } = await bot.say('Vai jūs varat palīdzēt iesniegt pensijas pieteikumu?', 'answer');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'akniste.pension' } });
    const pension = entry('akniste.pension');
    expect(texts(replies)).toContain(pension.answer.lv.trim().slice(0, 60));
    expect(JSON.stringify(replies)).toContain(pension.links[0]!.url);
    expect(texts(replies)).toContain(lv()('feedback.ask'));
  });

  it('asks back when a word fits two of its services, and answers the one chosen', async () => {
    bot = aknisteBot();
    // "deklarācija" is both the income tax return and the declaration of residence.
    const { decision, replies } = await bot.say('deklarācija', 'clarify');
    expect(decision?.decision.kind).toBe('clarify');
    const offered = decision?.decision.kind === 'clarify' ? decision.decision.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : [];
    expect(offered).toEqual(expect.arrayContaining(['akniste.income-declaration', 'akniste.residence']));
    const actions = buttons(replies);
    expect(actions.at(-1)?.title).toBe(lv()('clarify.none'));
    const chosen = await press(bot, actions[0]!, 'clarify');
    const chosenId = (actions[0]!.value as { id: string }).id;
    expect(texts(chosen.replies)).toContain(entry(chosenId).answer.lv.trim().slice(0, 40));
  });

  it('refers what the centre does not handle to the competent body, with its card (R2)', async () => {
    bot = aknisteBot();
    const { decision, replies } = await bot.say('Man nozaga velosipēdu no kāpņu telpas', 'refer');
    expect(decision?.decision).toMatchObject({ kind: 'refer', authority: { id: 'vp' } });
    const police = knowledge().authorities.get('vp')!;
    const card = replies.flatMap((r) => r.attachments ?? [])[0];
    expect((card?.content as { title?: string } | undefined)?.title).toBe(police.name.lv);
    expect(texts(replies)).toContain(knowledge().profile.nameGenitive!.lv);
  });

  it('offers to leave the question when a person is asked for: no chat hours are published (R4)', async () => {
    bot = aknisteBot();
    const { profile } = knowledge();
    // Why nobody is offered live: the profile lists no staff hours on any day.
    expect(Object.values(profile.chatHours.hours).every((day) => day.length === 0)).toBe(true);
    const { decision, replies } = await bot.say('Gribu runāt ar darbinieku', 'person');
    expect(decision?.decision.kind).toBe('handover');
    const due = lv()('time.withinWorkingDays', { count: profile.answerWithinWorkingDays });
    expect(texts(replies)).toBe(lv()('handover.offline', { opening: '', due }));
    expect(buttons(replies).map((b) => b.value)).toContainEqual({ action: 'case-start' });
  });

  it('tells the hours from its entry, pointing to the municipality site the profile names (R16)', async () => {
    bot = aknisteBot();
    const { profile } = knowledge();
    const { decision, replies } = await bot.say('Kāds ir jūsu darba laiks?', 'hours');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'akniste.hours' } });
    expect(texts(replies)).toContain(entry('akniste.hours').answer.lv.trim().slice(0, 60));
    expect(texts(replies)).toContain(new URL(profile.contacts.website!).hostname);
    // No confirmed opening hours exist yet, so the profile has none to tell: when staff add them
    // (contacts.hours), akniste.hours must be rewritten to state them, and this line updated.
    expect(profile.contacts.hours).toBeUndefined();
  });
});
