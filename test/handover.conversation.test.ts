// Handover from the citizen's side, as conversations: consent first (R8), the queue and the bot's
// silence while a person has the conversation, and leaving a question with a promised date when
// nobody can take it (R4, R5). The real staff side (in-memory store), a pinned clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessBot } from '../bot/cli/in-process.js';
import { buttons, demoBot, press, texts } from './support/bot.js';

// Monday 23 November 2026, 13:30 in Riga: inside the demo profile's hours.
const IN_HOURS = new Date('2026-11-23T11:30:00Z');
// Saturday 21 November 2026, 10:00 in Riga.
const WEEKEND = new Date('2026-11-21T08:00:00Z');

let bot: InProcessBot;
afterEach(async () => bot?.close());
const lv = () => bot.app.texts.forLanguage('lv');
const byValue = (replies: Parameters<typeof buttons>[0], match: object) =>
  buttons(replies).find((b) => JSON.stringify(b.value).includes(JSON.stringify(match).slice(1, -1)))!;

async function staffOnline(login: string, languages: ('lv' | 'en')[]) {
  const added = await bot.app.handover.directory.add({ name: 'Jānis', login, languages, role: 'staff', password: 'correct horse battery' });
  if (!added.ok) throw new Error(added.message);
  await bot.app.handover.service.seen(added.value);
  return added.value;
}

describe('asking for a person', () => {
  it('asks for consent first; declining stays with the bot', async () => {
    bot = demoBot({ now: () => IN_HOURS });
    await staffOnline('janis', ['lv']);
    const ask = await bot.say('Gribu runāt ar cilvēku', 'c');
    expect(ask.decision?.decision.kind).toBe('handover');
    expect(texts(ask.replies)).toBe(lv()('handover.consent'));
    const declined = await press(bot, byValue(ask.replies, { agree: false }), 'c');
    expect(texts(declined.replies)).toBe(lv()('handover.declined'));
    expect(await bot.app.handover.service.active('c')).toBeUndefined();
  });

  it('in hours with staff online: a handoff event, the queue position, and the bot silent while a person has it', async () => {
    bot = demoBot({ now: () => IN_HOURS });
    const janis = await staffOnline('janis', ['lv']);
    const ask = await bot.say('Gribu runāt ar cilvēku', 'c');
    const queued = await press(bot, byValue(ask.replies, { agree: true }), 'c');
    expect(queued.replies.map((r) => r.type)).toEqual(['event', 'message']);
    expect(queued.replies[0]?.name).toBe('handoff.initiate');
    expect(texts(queued.replies)).toContain(lv()('handover.queued', { position: 1 }));

    const waiting = await bot.say('Vai ilgi būs jāgaida?', 'c');
    expect(texts(waiting.replies)).toBe(lv()('handover.stillQueued', { position: 1 }));

    const ticket = (await bot.app.handover.service.active('c'))!;
    expect((await bot.app.handover.service.accept(janis, ticket.id)).kind).toBe('accepted');
    const silent = await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c');
    expect(silent.replies).toEqual([]);
    expect(silent.decision).toBeUndefined();
  });

  it('the citizen can stop waiting and is back with the bot', async () => {
    bot = demoBot({ now: () => IN_HOURS });
    await staffOnline('janis', ['lv']);
    const ask = await bot.say('Gribu runāt ar cilvēku', 'c');
    const queued = await press(bot, byValue(ask.replies, { agree: true }), 'c');
    const cancelled = await press(bot, byValue(queued.replies, { action: 'handover-cancel' }), 'c');
    expect(texts(cancelled.replies)).toBe(lv()('handover.cancelled'));
    expect((await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c')).decision?.decision.kind).toBe('answer');
  });

  it('two fallbacks in a row offer a person', async () => {
    bot = demoBot({ now: () => IN_HOURS });
    await staffOnline('janis', ['lv']);
    expect(texts((await bot.say('asdf qwerty', 'c')).replies)).not.toContain(lv()('handover.consent'));
    expect(texts((await bot.say('zxcv uiop', 'c')).replies)).toContain(lv()('handover.consent'));
  });
});

describe('nobody can take it: leaving the question (R4, R5)', () => {
  it('out of hours: first that nobody is there and when someone will be, asking consent once; contact, question, a case with the promised date', async () => {
    bot = demoBot({ now: () => WEEKEND });
    const offline = await bot.say('Gribu runāt ar cilvēku', 'c');
    // Not "do you agree to be handed over?" for a handover that cannot happen now.
    expect(texts(offline.replies)).not.toContain(lv()('handover.consent'));
    expect(texts(offline.replies)).toMatch(/^Šobrīd neviens darbinieks nav pieejams\. Darbinieki atkal būs pieejami pirmdien, 23\. novembrī, plkst\. 13\.00\./);
    expect(texts(offline.replies)).toContain(lv()('time.withinWorkingDays', { count: 2 }));
    await press(bot, byValue(offline.replies, { action: 'case-start' }), 'c');

    // R5: a foreign number gets the e-mail suggestion; a Latvian one is a callback.
    expect(texts((await bot.say('+44 20 7946 0958', 'c')).replies)).toBe(lv()('handover.foreignPhone'));
    expect(texts((await bot.say('26 123 456', 'c')).replies)).toBe(lv()('handover.askQuestion'));
    const consent = await bot.say('Vai drīkstu filmēt kāpņutelpu?', 'c');
    const registered = await press(bot, byValue(consent.replies, { agree: true }), 'c');
    const text = texts(registered.replies);
    expect(text).toContain('+371 26123456');
    // Saturday: two working days are Monday and Tuesday 24 November.
    expect(text).toContain('līdz otrdienai, 24. novembrim,');
    const [kase] = await bot.app.handover.repo.cases('dvi', 'open');
    expect(kase).toMatchObject({ conversationId: 'c', question: 'Vai drīkstu filmēt kāpņutelpu?' });
  });

  it('declining consent keeps nothing', async () => {
    bot = demoBot({ now: () => WEEKEND });
    const offline = await bot.say('Gribu runāt ar cilvēku', 'c');
    await press(bot, byValue(offline.replies, { action: 'case-start' }), 'c');
    await bot.say('vards@example.lv', 'c');
    const consent = await bot.say('Mans jautājums', 'c');
    await press(bot, byValue(consent.replies, { agree: false }), 'c');
    expect(await bot.app.handover.repo.cases('dvi', 'open')).toEqual([]);
  });
});

describe('offered languages follow the staff (R3)', () => {
  it('English is offered while someone speaks it, and not after the last English speaker is disabled', async () => {
    bot = demoBot({ now: () => IN_HOURS });
    await staffOnline('janis', ['lv']);
    const anna = await bot.app.handover.directory.add({
      name: 'Anna',
      login: 'anna',
      languages: ['lv', 'en'],
      role: 'staff',
      password: 'correct horse battery',
    });
    expect(anna.ok).toBe(true);
    expect(buttons(await bot.join('a')).map((b) => b.value)).toEqual([{ action: 'language', to: 'en' }]);
    expect((await bot.say('How do I report a personal data breach?', 'a')).decision?.language).toBe('en');

    await bot.app.handover.directory.disable('anna');
    expect(buttons(await bot.join('b'))).toEqual([]);
    const english = await bot.say('How do I report a personal data breach?', 'b');
    expect(english.decision?.decision).toEqual({ kind: 'language', detected: 'en' });
  });
});
