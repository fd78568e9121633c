// Privacy: what redaction catches and what it must leave alone, and that the real app redacts
// before anything reaches a store (transcripts from both adapters, Direct Line activities).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '../bot/privacy/redact.js';
import { startApp, type RunningApp } from './support/app.js';
import { channelActivity, directLine, fakeConnector } from './support/postgres.js';

describe('redact()', () => {
  // Old personal codes DDMMYY-CNNNN: a real date, century digit 0–2, and the check digit.
  // New codes (since 2017): 32NNNN-NNNNN. Both with or without the hyphen.
  const redacted: [string, string, string][] = [
    ['old code with hyphen', 'kods 150575-12341', 'kods [personas kods]'],
    ['old code without hyphen', 'kods 15057512341.', 'kods [personas kods].'],
    ['old code, 29 February of a leap year', '290200-20009', '[personas kods]'],
    ['old code with a space', '010101 10006', '[personas kods]'],
    ['new code with hyphen', 'mans kods ir 321234-56789', 'mans kods ir [personas kods]'],
    ['new code without hyphen', '32123456789', '[personas kods]'],
    ['Luhn-valid card, grouped', 'karte 4111 1111 1111 1111', 'karte [kartes numurs]'],
    ['Luhn-valid card, plain', '5555555555554444', '[kartes numurs]'],
    ['Luhn-valid card, hyphens', '4111-1111-1111-1111', '[kartes numurs]'],
    ['IBAN', 'konts LV80BANK0000435195001', 'konts [konta numurs]'],
    ['IBAN in groups of four', 'LV80 BANK 0000 4351 9500 1', '[konta numurs]'],
    ['IBAN in lower case', 'lv80bank0000435195001', '[konta numurs]'],
  ];
  it.each(redacted)('masks %s', (_what, text, expected) => {
    expect(redact(text).text).toBe(expected);
  });

  const kept: [string, string][] = [
    ['a landline number', 'zvaniet 67223131'],
    ['a phone number with the country code', '+371 67223131'],
    ['a mobile number with the country code, no space', '+37129123456'],
    ['an ISO date', '2024-01-15'],
    ['a Latvian date', '15.01.2024.'],
    ['an old code with a wrong check digit', '150575-12342'],
    ['an old code with an impossible date (31 February), valid check digit', '310299-10000'],
    ['29 February of a year that is not leap', '290299-10008'],
    ['a card number that fails Luhn', '4111 1111 1111 1112'],
    ['an IBAN with wrong check digits', 'LV80BANK0000435195002'],
    ['a case number', 'lieta Nr. 2-12/345'],
    ['a postcode and a year', 'LV-1050, 2026. gads'],
  ];
  it.each(kept)('leaves %s alone', (_what, text) => {
    expect(redact(text)).toEqual({ text, found: [] });
  });

  it('names what it found', () => {
    expect(redact('150575-12341 un 4111111111111111 un LV80BANK0000435195001').found.sort()).toEqual(['card', 'iban', 'personal-code']);
  });

  // The IBAN pattern may run on into the next word; the longest valid IBAN is masked, the word kept.
  it.each([
    ['konts LV80BANK0000435195001 un vēl', 'konts [konta numurs] un vēl'],
    ['LV80 BANK 0000 4351 9500 1 ir mans konts', '[konta numurs] ir mans konts'],
  ])('masks an IBAN followed by a word: %s', (text, expected) => {
    expect(redact(text).text).toBe(expected);
  });
});

describe('the real app stores nothing unredacted', () => {
  let site: RunningApp;
  let connector: Awaited<ReturnType<typeof fakeConnector>>;
  beforeAll(async () => {
    site = await startApp();
    connector = await fakeConnector();
  });
  afterAll(async () => {
    await site?.stop();
    await connector?.close();
  });

  it('Direct Line: the transcript and the stored activities have the personal code masked', async () => {
    const c = await directLine.start(site.origin);
    const sent = await directLine.send(site.origin, c, { type: 'message', text: 'Mans personas kods ir 150575-12341, kā iesniegt sūdzību?' });
    expect(sent.status).toBe(200);

    const transcript = await site.app.store.transcripts.getTranscriptActivities('directline', c.conversationId);
    const citizen = transcript.items.filter((a) => a.from?.role === 'user' && a.type === 'message');
    expect(citizen.map((a) => a.text)).toEqual(['Mans personas kods ir [personas kods], kā iesniegt sūdzību?']);
    expect(transcript.items.some((a) => a.from?.role === 'bot' && a.type === 'message')).toBe(true);

    const polled = await directLine.read(site.origin, c);
    expect(polled.activities.find((a) => a.from.role === 'user')?.text).toBe('Mans personas kods ir [personas kods], kā iesniegt sūdzību?');
    expect(JSON.stringify([transcript.items, polled.activities])).not.toContain('12341');
  });

  it('/api/messages (CloudAdapter): the transcript is redacted too', async () => {
    const res = await fetch(`${site.origin}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(channelActivity(connector.serviceUrl, 'bf-privacy-1', 'Konts LV80BANK0000435195001, kods 32123456789')),
    });
    expect(res.status).toBeLessThan(300);
    expect(connector.replies.length).toBeGreaterThan(0);
    const transcript = await site.app.store.transcripts.getTranscriptActivities('emulator', 'bf-privacy-1');
    expect(transcript.items[0]?.text).toBe('Konts [konta numurs], kods [personas kods]');
    // Every reply the channel received is in the transcript, except Emulator traces.
    expect(transcript.items.length).toBe(1 + connector.replies.filter((r) => r.type !== 'trace').length);
  });
});
