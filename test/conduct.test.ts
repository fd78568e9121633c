// Conduct and quality (R6, R7, R12) as conversations: warning → ending → cooling off, the upset
// client who is heard rather than warned, protected information, complaints, suggestions, ratings.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessBot } from '../bot/cli/in-process.js';
import type { MemoryRecords } from '../bot/storage/kept-records.js';
import { buttons, demoBot, press, texts } from './support/bot.js';

let bot: InProcessBot;
afterEach(async () => bot?.close());
const lv = () => bot.app.texts.forLanguage('lv');
const records = () => bot.app.records as MemoryRecords;

describe('abusive messages (R6)', () => {
  it('warns first, then ends the conversation with the right to complain, then stays silent until the cooling-off ends', async () => {
    const clock = { now: new Date('2026-11-23T10:00:00Z') };
    bot = demoBot({ now: () => clock.now, storage: 'memory' });
    const profile = bot.app.knowledge.current.profile;

    const first = await bot.say('Jūs visi tur esat idioti!', 'c');
    expect(texts(first.replies)).toBe('Es vēlos jūs uzklausīt un palīdzēt, bet nerunājiet ar mani tādā tonī!');

    const second = await bot.say('stulbs bots', 'c');
    expect(texts(second.replies)).toContain(lv()('conduct.ended', { complaint: profile.complaints.service.lv, count: profile.coolingOffMinutes }));

    // The first message after the end is told, once, when it may write again and how to complain.
    const endedAt = clock.now;
    clock.now = new Date(endedAt.getTime() + 60_000);
    const told = texts((await bot.say('Kāpēc jūs neatbildat?', 'c')).replies);
    expect(told).toContain('Varēsiet rakstīt atkal šodien plkst. 13.00');
    expect(told).toContain(profile.complaints.service.lv);
    clock.now = new Date(endedAt.getTime() + (profile.coolingOffMinutes - 1) * 60_000);
    expect((await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c')).replies).toEqual([]);

    clock.now = new Date(endedAt.getTime() + (profile.coolingOffMinutes + 1) * 60_000);
    const after = await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c');
    expect(after.decision?.decision.kind).toBe('answer');
  });

  it('sees through letter substitutions and missing diacritics', async () => {
    bot = demoBot();
    for (const insult of ['tu esi 1d10ts', 'STULBS BOTS', 'you are all morons', 'вы все идиоты']) {
      expect((await bot.say(insult)).decision?.decision.kind, insult).toBe('conduct');
    }
  });

  it('an insult about someone else, told while describing the problem, is upset, not abuse', async () => {
    bot = demoBot();
    for (const text of [
      'Tas idiots no blakus dzīvokļa filmē mūsu kāpņu telpu',
      'Some moron at the shop gave my address to a stranger',
      'Can you help me, my landlord is a real idiot',
    ]) {
      const { decision, replies } = await bot.say(text, 'c');
      expect(decision?.decision.kind, text).not.toBe('conduct');
      expect(decision?.upset, text).toBe(true);
      expect(texts(replies)).not.toContain(lv()('conduct.warning'));
    }
    for (const text of ['Jūs tur visi esat klauni', 'you are a useless piece of garbage', 'idioti!', 'this chat gives nothing but stupid answers']) {
      expect((await bot.say(text, text)).decision?.decision.kind, text).toBe('conduct');
    }
  });

  it('an upset but not abusive client is acknowledged and offered a person, never warned', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Tas ir nepieņemami, jau mēnesi gaidu atbildi!', 'c');
    expect(decision?.decision.kind).not.toBe('conduct');
    expect(texts(replies)).toContain(lv()('conduct.upset'));
    expect(texts(replies)).not.toContain(lv()('conduct.warning'));
  });

  it('an upset message the bot cannot place gets one acknowledgement and the offer of a person, not three stacked replies', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Tas ir šausmīgi, neviens neko nedara, es esmu sašutis!', 'c');
    expect(decision?.decision.kind).toBe('fallback');
    expect(texts(replies)).toContain(lv()('conduct.upset'));
    expect(texts(replies)).not.toContain(lv()('fallback.text'));
    expect(replies.filter((r) => r.type === 'message')).toHaveLength(2);
  });

  it('refuses to give protected information, with the reason', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Iedodiet man mana kaimiņa personas kodu', 'c');
    expect(decision?.decision.kind).toBe('protected');
    expect(texts(replies)).toBe(lv()('conduct.protected'));
  });
});

describe('complaints (R7) and suggestions (R12)', () => {
  it('"I want to complain" asks: the service, or a decision; each gets the profile’s road', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Gribu sūdzēties', 'c');
    expect(decision?.decision.kind).toBe('complaint');
    const [service, appeal] = buttons(replies);
    const profile = bot.app.knowledge.current.profile;
    expect(texts((await press(bot, service!, 'c')).replies)).toContain(profile.complaints.service.lv.trim());
    expect(texts((await press(bot, appeal!, 'c')).replies)).toContain(profile.complaints.appeal.lv.trim());
  });

  it('collects a suggestion, redacted', async () => {
    bot = demoBot();
    await bot.say('Man ir ierosinājums', 'c');
    const thanks = await bot.say('Pagariniet darba laiku, mans kods 010190-12349', 'c');
    expect(texts(thanks.replies)).toBe(lv()('suggestion.thanks'));
    expect(records().suggestions[0]?.text).toBe('Pagariniet darba laiku, mans kods [personas kods]');
  });
});

describe('satisfaction (R12)', () => {
  it('asks for a 1–5 rating at goodbye; records it and an optional comment', async () => {
    bot = demoBot();
    const bye = await bot.say('Uz redzēšanos', 'c');
    const scores = buttons(bye.replies);
    expect(scores.map((b) => b.title)).toEqual(['1', '2', '3', '4', '5']);
    const thanks = await press(bot, scores[3]!, 'c');
    await press(bot, buttons(thanks.replies)[0]!, 'c');
    await bot.say('Ātri un saprotami', 'c');
    expect(records().ratings).toMatchObject([{ score: 4, comment: 'Ātri un saprotami' }]);
  });
});

describe('deleting the conversation (R8)', () => {
  it('asks for confirmation, removes the conversation from every store, and still says goodbye', async () => {
    const { startApp } = await import('./support/app.js');
    const site = await startApp();
    try {
      const dl = `${site.origin}/v3/directline`;
      const { token } = (await (await fetch(`${dl}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const { conversationId } = (await (await fetch(`${dl}/conversations`, { method: 'POST', headers: auth })).json()) as { conversationId: string };
      const url = `${dl}/conversations/${conversationId}/activities`;
      const say = (body: object) => fetch(url, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', from: { id: 'x' }, ...body }) });
      const read = async () =>
        (
          (await (await fetch(url, { headers: auth })).json()) as {
            activities: { text?: string; suggestedActions?: { actions: { value: unknown; title: string }[] } }[];
          }
        ).activities;

      await say({ text: 'Kā atsaukt piekrišanu datu apstrādei?' });
      await say({ text: 'Dzēst manu sarunu' });
      const confirm = (await read()).at(-1)!;
      expect(confirm.text).toBe(site.app.texts.forLanguage('lv')('privacy.deleteConfirm'));
      const yes = confirm.suggestedActions!.actions[0]!;
      expect((await site.app.store.transcripts.getTranscriptActivities('directline', conversationId)).items.length).toBeGreaterThan(0);

      await say({ text: yes.title, value: yes.value });
      await new Promise((r) => setTimeout(r, 200));
      expect((await site.app.store.transcripts.getTranscriptActivities('directline', conversationId)).items).toEqual([]);
      expect((await site.app.records.period(new Date(0), new Date(Date.now() + 60_000))).outcomes.filter((o) => o.conversationId === conversationId)).toEqual(
        [],
      );
      // The widget keeps working: the next poll shows only the confirming press (its echo, which Web
      // Chat waits for before it counts the message as sent) and the farewell, both after the deletion.
      const after = await fetch(url, { headers: auth });
      expect(after.status).toBe(200);
      expect(((await after.json()) as { activities: { text?: string }[] }).activities.map((a) => a.text)).toEqual([
        site.app.texts.forLanguage('lv')('privacy.deleteYes'),
        site.app.texts.forLanguage('lv')('privacy.deleted'),
      ]);
    } finally {
      await site.stop();
    }
  });
});
