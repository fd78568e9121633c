// Conversations through the real bot (same factory as production), as tables of what the citizen
// says and what the bot must do. Assertions are on meaning: decision kinds, entry ids, i18n texts.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessBot } from '../bot/cli/in-process.js';
import { MemoryRecords } from '../bot/storage/kept-records.js';
import { buttons, demoBot, libraryBot, press, texts } from './support/bot.js';
import { decide, DEFAULT_DECISION_SETTINGS } from '../knowledge/decide.js';
import { THRESHOLDS_GATE } from '../knowledge/answer-gate.js';

let bot: InProcessBot;
afterEach(async () => bot?.close());

const lv = () => bot.app.texts.forLanguage('lv');
const en = () => bot.app.texts.forLanguage('en');
const records = () => bot.app.records as MemoryRecords;

describe('greeting (R9, AI transparency)', () => {
  it('greets once, names the institution, says it is automated, offers English', async () => {
    bot = demoBot();
    const greeting = await bot.join('c1');
    const text = texts(greeting);
    expect(text).toContain('Datu valsts inspekcijas');
    expect(text).toContain('automatizēta programma');
    expect(buttons(greeting).map((b) => b.value)).toEqual([{ action: 'language', to: 'en' }]);
    expect(await bot.join('c1')).toEqual([]);
  });

  it('switches to English by button and stays in English', async () => {
    bot = demoBot();
    const [english] = buttons(await bot.join('c2'));
    const switched = await press(bot, english!, 'c2');
    expect(texts(switched.replies)).toContain('English');
    const next = await bot.say('How do I report a personal data breach?', 'c2');
    expect(next.decision?.language).toBe('en');
    expect(next.decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'dvi.breach-notification' } });
    expect(texts(next.replies)).toContain(en()('feedback.ask'));
  });
});

describe('answers from the knowledge base (R1)', () => {
  const table: [string, string][] = [
    ['Kā iesniegt sūdzību par nelikumīgu personas datu apstrādi?', 'dvi.data-complaint'],
    ['ka iesniegt sudzibu par datu apstradi', 'dvi.data-complaint'],
    ['Kaimiņš uzstādīja videokameru, kas filmē manu pagalmu', 'dvi.video-surveillance'],
    ['kada ir inspekcijas adrese', 'dvi.contacts'],
  ];
  it.each(table)('"%s" → %s, with its source and "did it help?"', async (question, entryId) => {
    bot = demoBot();
    const { decision, replies } = await bot.say(question, 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: entryId } });
    const entry = bot.app.knowledge.current.entries.get(entryId)!;
    expect(texts(replies)).toContain(entry.answer.lv.trim().slice(0, 40));
    expect(texts(replies)).toMatch(/https:\/\//);
    expect(
      buttons(replies)
        .slice(0, 2)
        .map((b) => b.title),
    ).toEqual([lv()('feedback.yes'), lv()('feedback.no')]);
  });

  it('records "did it help": yes is thanked; no is recorded with the question as unanswered', async () => {
    bot = demoBot();
    const first = await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c');
    const [yes, no] = buttons(first.replies);
    expect(texts((await press(bot, yes!, 'c')).replies)).toBe(lv()('feedback.thanks'));
    await press(bot, no!, 'c');
    expect(records().feedbacks.map((f) => f.helpful)).toEqual([true, false]);
    expect(records().questions).toMatchObject([{ reason: 'not-helpful', text: 'Kā atsaukt piekrišanu datu apstrādei?', entryId: 'dvi.consent' }]);
  });
});

describe('clarifying questions', () => {
  it('offers at most three entries plus "none of these"; the choice is recorded and answered', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('dati', 'c');
    expect(decision?.decision.kind).toBe('clarify');
    const actions = buttons(replies);
    expect(actions.length).toBeLessThanOrEqual(4);
    expect(actions.at(-1)?.title).toBe(lv()('clarify.none'));
    const chosen = await press(bot, actions[0]!, 'c');
    expect(texts(chosen.replies)).toContain(lv()('feedback.ask'));
    expect(records().choices[0]?.chosenId).toBe((actions[0]!.value as { id: string }).id);
  });

  it('"none of these" records the question as unanswered', async () => {
    bot = demoBot();
    const { replies } = await bot.say('dati', 'c');
    const none = buttons(replies).at(-1)!;
    const after = await press(bot, none, 'c');
    expect(texts(after.replies)).toContain(bot.app.knowledge.current.profile.contacts.email!);
    expect(records().choices[0]?.chosenId).toBeNull();
    expect(records().questions).toMatchObject([{ reason: 'none-of-these', text: 'dati' }]);
  });
});

describe('out of competence (R2) and emergencies', () => {
  it('refers to the competent authority with its contacts as a card', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Kā iesniegt gada ienākumu deklarāciju?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'refer', authority: { id: 'vid' } });
    const card = replies.flatMap((r) => r.attachments ?? [])[0];
    expect(card?.contentType).toBe('application/vnd.microsoft.card.hero');
    expect((card?.content as { title: string } | undefined)?.title).toBe('Valsts ieņēmumu dienests');
    expect(JSON.stringify(card?.content)).toContain('https://');
    expect(records().outcomes.at(-1)).toMatchObject({ kind: 'refer', authorityIds: ['vid'] });
  });

  it('sends an emergency to 112 before anything else', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Kaimiņu mājā ir ugunsgrēks!', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'refer', emergency: true, authority: { id: 'emergency' } });
    expect(texts(replies)).toBe(lv()('refer.emergency'));
    expect(decision?.decision.kind === 'refer' && decision.decision.referrals.map((a) => a.id)).toEqual(['emergency']);
  });

  it('after 112, names the authority the rest of the message is for, in case it is not urgent', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Vakar saindējos kafejnīcā, kur var sūdzēties par ēdienu?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'refer', emergency: true, authority: { id: 'emergency' } });
    expect(decision?.decision.kind === 'refer' && decision.decision.referrals.map((a) => a.id)).toEqual(['emergency', 'pvd']);
    // 112 comes first, then the complaint's address.
    const cards = replies.flatMap((r) => r.attachments ?? []).map((a) => (a.content as { title: string }).title);
    expect(cards).toEqual(['Vienotais ārkārtas palīdzības izsaukumu numurs 112', 'Pārtikas un veterinārais dienests']);
    expect(texts(replies).indexOf(lv()('refer.emergency'))).toBe(0);
    expect(texts(replies)).toContain('Ja nav steidzami');
  });

  it("after 112, answers what the rest of the message asks within the agency's competence", async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Kaimiņš filmē ugunsgrēku un liek video internetā', 'c');
    const d = decision?.decision;
    expect(d).toMatchObject({ kind: 'refer', emergency: true, authority: { id: 'emergency' } });
    const answer = d?.kind === 'refer' ? d.answer : undefined;
    expect(answer?.id).toMatch(/^dvi\./);
    // 112 first; the answer after it, led by "if it is not urgent", with the usual "did it help?".
    const said = texts(replies);
    expect(said.indexOf(lv()('refer.emergency'))).toBe(0);
    expect(said.indexOf(lv()('answer.afterEmergency'))).toBeGreaterThan(0);
    expect(said).toContain(lv()('feedback.ask'));
  });

  // Emergency words are matched inflected in Latvian but word for word elsewhere: an English stem
  // would join "fire" with "fired" and "accident" with "accidentally".
  const emergencies: [string, boolean][] = [
    ['Kāpņu telpā ugunsgrēkā cietuši cilvēki', true],
    ["My neighbour's house is on fire", true],
    ['There were two car accidents on the bridge', true],
    ['I was fired without notice, can they do that?', false],
    ['We accidentally sent invoices to the wrong customers', false],
  ];
  it.each(emergencies)('emergency or not: %s → %s', async (text, emergency) => {
    bot = demoBot();
    const { decision } = await bot.say(text, 'c');
    const d = decision?.decision;
    expect(d?.kind === 'refer' && d.emergency).toBe(emergency);
  });

  it('answers the part within competence and refers the rest in the same reply', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Darba devējs uzstādīja kameras ģērbtuvē un arī nemaksā virsstundas', 'c');
    expect(decision?.decision.kind).toBe('answer');
    expect(decision?.decision.kind === 'answer' && decision.decision.referrals.map((a) => a.id)).toEqual(['vdi']);
    expect(texts(replies)).toContain(lv()('answer.partialIntro'));
    expect(replies.flatMap((r) => r.attachments ?? []).length).toBe(1);
  });
});

describe('fallback, privacy and errors', () => {
  it('an everyday question outside any authority falls back instead of stretching an entry to fit', async () => {
    bot = demoBot();
    // "laiks" is also office hours and "rīt" a day to call: without examples of chit-chat the
    // weather looked like the phone consultations.
    for (const text of ['Kāda ir laika prognoze svētdienai?', 'Who is playing in the basketball final?']) {
      expect((await bot.say(text, text)).decision?.decision.kind, text).toBe('fallback');
    }
    expect((await bot.say('Kāds ir inspekcijas darba laiks?', 'hours')).decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'dvi.visit' } });
  });

  it('falls back with latvija.gov.lv and the agency contacts, and records the question redacted', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('asdf qwerty 010190-12349', 'c');
    expect(decision?.decision.kind).toBe('fallback');
    expect(texts(replies)).toContain(lv()('privacy.redacted'));
    expect(texts(replies)).toContain('latvija.gov.lv');
    expect(texts(replies)).toContain(bot.app.knowledge.current.profile.contacts.phone!);
    expect(records().questions[0]?.text).toBe('asdf qwerty [personas kods]');
  });

  it('a turn that throws gets an apology with contacts, and the conversation continues', async () => {
    bot = demoBot();
    const original = bot.app.turnDeps.records.outcome;
    bot.app.turnDeps.records.outcome = async () => {
      throw new Error('disk full');
    };
    const failed = await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c');
    expect(texts(failed.replies)).toContain(lv()('error.turn', { contacts: '' }).slice(0, 30));
    bot.app.turnDeps.records.outcome = original;
    const next = await bot.say('Kā atsaukt piekrišanu datu apstrādei?', 'c');
    expect(next.decision?.decision.kind).toBe('answer');
  });

  it('warns an abusive client with the standard’s words (R6)', async () => {
    bot = demoBot();
    const { replies } = await bot.say('Jūs visi tur esat idioti!', 'c');
    expect(texts(replies)).toBe('Es vēlos jūs uzklausīt un palīdzēt, bet nerunājiet ar mani tādā tonī!');
  });
});

describe('languages (R3)', () => {
  it('answers a language that is not offered in that language, with buttons for the offered ones', async () => {
    bot = demoBot();
    const { decision, replies } = await bot.say('Здравствуйте, как подать жалобу на обработку данных?', 'c');
    expect(decision?.decision).toEqual({ kind: 'language', detected: 'ru' });
    expect(texts(replies)).toMatch(/[а-я]/);
    expect(buttons(replies).map((b) => b.value)).toEqual([
      { action: 'language', to: 'lv' },
      { action: 'language', to: 'en' },
    ]);
  });

  it('two conversations in two languages at once each keep their own language', async () => {
    bot = demoBot();
    const [a, b] = await Promise.all([
      bot.say('How can I get my personal data deleted by a company?', 'english'),
      bot.say('Kā panākt, lai uzņēmums izdzēš manus datus?', 'latvian'),
    ]);
    expect(a.decision?.language).toBe('en');
    expect(b.decision?.language).toBe('lv');
    expect(texts(a.replies)).toContain(en()('feedback.ask'));
    expect(texts(b.replies)).toContain(lv()('feedback.ask'));
  });
});

describe('a second agency is a folder, not a code change', () => {
  it('runs the fixture library with its own knowledge, contacts and languages', async () => {
    bot = libraryBot();
    const greeting = await bot.join('c');
    expect(texts(greeting)).toContain('Pilsētas bibliotēka');
    expect(buttons(greeting)).toEqual([]);
    const { decision } = await bot.say('Kā pagarināt grāmatu?', 'c');
    expect(decision?.decision).toMatchObject({ kind: 'answer', entry: { id: 'library.renew' } });
    const english = await bot.say('Can we speak English please?', 'c');
    expect(english.decision?.decision.kind).toBe('language');
  });
});

describe('decisions that need more than the detector or the whole message', () => {
  const context = (detected: string) => ({
    knowledge: bot.app.knowledge.current,
    offeredLanguages: ['lv', 'en'] as const,
    conversationLanguage: 'lv' as const,
    // The detector's guess is an input to the decision: pinned here, so the rule is what is tested.
    detectLanguage: () => ({ language: detected, reliable: true }),
    requestedLanguage: () => null,
    toneOf: () => 'calm' as const,
    framesOf: () => [],
  });

  it('a word the agency’s own entries use throughout sends nobody away; a word of the authority’s own does', async () => {
    bot = demoBot();
    const { knowledge } = context('lv');
    // "strādāt" is in the agency's visiting hours as much as in the Labour Inspectorate's field.
    expect(knowledge.index.entriesUsing('stradajat')).toBeGreaterThanOrEqual(2);
    const hours = decide('Kad jūs strādājat?', context('lv')).decision;
    expect(hours.kind === 'refer' || (hours.kind === 'clarify' && hours.candidates.some((c) => c.kind === 'authority'))).toBe(false);
    expect(decide('Kāds ir inspekcijas darba laiks?', context('lv')).decision).toMatchObject({ kind: 'answer', entry: { id: 'dvi.visit' } });
    // Dismissal without notice is the Labour Inspectorate's: its words are not the agency's.
    expect(decide('Mani atlaida no darba bez uzteikuma termiņa', context('lv')).decision).toMatchObject({ kind: 'refer', authority: { id: 'vdi' } });
  });

  it('a complaint about a camera is never taken for a request for protected information', async () => {
    bot = demoBot();
    // The intent vote leans towards "protected" here (a neighbour, a complaint): the knowledge base's
    // offer of the camera and complaint entries stands, since a fair question is never refused on
    // the vote's word.
    const { decision } = decide('Kā iesniegt sūdzību par kaimiņa videokameru?', context('lv'));
    expect(decision.kind).not.toBe('protected');
    expect(decision.kind === 'clarify' ? decision.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : []).toContain(
      'dvi.video-surveillance',
    );
  });

  it('offers only entries that share a word with the question; letters in common are not enough', async () => {
    bot = demoBot();
    const { decision } = decide('asdf qwerty zxcv', context('lv'));
    expect(decision.kind).toBe('fallback');
  });

  it('a message in the knowledge base’s own words is not sent away as another language', async () => {
    bot = demoBot();
    expect(decide('kā iesniegt sūdzību par personas datu apstrādi', context('lt')).decision.kind).toBe('answer');
    expect(decide('Kaip pateikti skundą dėl asmens duomenų tvarkymo?', context('lt')).decision).toEqual({ kind: 'language', detected: 'lt' });
  });

  it('a long story with no fit as a whole asks back with what its clauses would be answered with', async () => {
    bot = demoBot();
    const story =
      'Labdien, vakar vakarā ilgi domāju un apspriedos ar ģimeni pie vakariņām par dažādām lietām, runājām par bērnu skolu, ' +
      'kaimiņu suni un rudens lapām dārzā, un beigās nolēmu uzrakstīt šurp, jo gribu zināt, ' +
      'kā pieprasīt kopiju no visiem maniem personas datiem';
    // With the defaults the whole story fits: a few strong words are enough (the matcher's
    // fitTerms), however many other words surround them.
    const whole = decide(story, context('lv')).decision;
    expect(whole.kind === 'answer' && whole.entry.id).toBe('dvi.right-of-access');
    // With a stricter floor the story as a whole no longer fits, and only a clause does. (Known
    // weakness, not tested here: a passing clause with a word of an authority's competence, "… un
    // atvaļinājuma plāniem", is referred to the insolvency service, whose competence names holiday
    // compensation.)
    // (The clause's own floor pinned: the mechanism is under test, not the tuned default.)
    const settings = { ...DEFAULT_DECISION_SETTINGS, clarifyMin: 0.45, clauseMin: 0.35 };
    expect(bot.app.knowledge.current.index.search(story).results[0]?.score).toBeLessThan(settings.clarifyMin);
    // The thresholds alone: the answer gate answers the story's best entry below the floor (the
    // right one, dvi.right-of-access), and the clauses' mechanism would not be reached.
    const { decision } = decide(story, { ...context('lv'), settings, answerGate: THRESHOLDS_GATE });
    expect(decision.kind).toBe('clarify');
    expect(decision.kind === 'clarify' && decision.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id))).toContain('dvi.right-of-access');
  });
});
