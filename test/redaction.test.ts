// Redaction over the whole corpus (test/fixtures/redaction): no planted code, card or IBAN survives
// in any written form, and nothing else in a message changes. Then whole activities: a code in any
// string field, at any depth, or in a key is masked before storage, and a deeply nested value is
// stored (cut off, marked) instead of overflowing the stack.
import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { redact, withoutRedactions } from '../bot/privacy/redact.js';
import { asJson, redactActivity, toJsonText } from '../bot/storage/activity.js';
import { CORPUS, PLANTED, cardNumber, ibanOf, oldPersonalCode, newPersonalCode, type CorpusMessage } from './fixtures/redaction/corpus.js';

/** The digits (or IBAN characters) of a planted value, wherever they survive in `stored`. */
function survivors(stored: string, message: CorpusMessage): string[] {
  const compactStored = stored.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return message.planted.filter((p) => stored.includes(p.written) || compactStored.includes(p.compact)).map((p) => `${p.kind} (${p.form}): ${p.written}`);
}

describe('the redaction corpus', () => {
  it('is big enough and has both kinds of message', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(300);
    expect(PLANTED.filter((p) => p.kind === 'personal-code').length).toBeGreaterThan(150);
    expect(PLANTED.filter((p) => p.kind === 'card').length).toBeGreaterThan(50);
    expect(PLANTED.filter((p) => p.kind === 'iban').length).toBeGreaterThan(40);
    expect(CORPUS.filter((m) => m.planted.length === 0).length).toBeGreaterThan(60);
  });

  it('leaks nothing: every planted value is masked in every form', () => {
    const leaks = CORPUS.flatMap((m) => survivors(redact(m.text).text, m).map((s) => `${m.id}: ${s}`));
    expect(leaks).toEqual([]);
  });

  it('changes nothing else: the text is exactly the expected one (no false positives)', () => {
    const wrong = CORPUS.filter((m) => redact(m.text).text !== m.expected).map((m) => ({
      id: m.id,
      text: m.text,
      got: redact(m.text).text,
      expected: m.expected,
    }));
    expect(wrong).toEqual([]);
  });

  it('names what it found, and finds nothing in the negatives', () => {
    for (const m of CORPUS) expect(redact(m.text).found.sort(), m.id).toEqual([...new Set(m.planted.map((p) => p.kind))].sort());
  });

  it('is idempotent, and the matcher reads no mark', () => {
    for (const m of CORPUS) {
      const once = redact(m.text).text;
      expect(redact(once).text, m.id).toBe(once);
      expect(withoutRedactions(once), m.id).not.toMatch(/\[(personas kods|kartes numurs|konta numurs)\]/);
    }
  });
});

describe('redactActivity', () => {
  it('keeps a "__proto__" key a client sent as an own, redacted property, and never as a prototype', () => {
    const personal = oldPersonalCode();
    const sent = JSON.parse(`{"type":"message","text":"x","channelData":{"__proto__":{"polluted":"${personal}"},"ok":"${personal}"}}`) as Partial<Activity>;
    const stored = redactActivity(sent) as { channelData: Record<string, unknown> };
    expect(Object.getPrototypeOf(stored.channelData)).toBe(Object.prototype);
    expect(Object.hasOwn(stored.channelData, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain(personal);
    expect(stored.channelData['ok']).not.toContain(personal);
  });

  const code = oldPersonalCode();
  const newCode = newPersonalCode();
  const card = cardNumber('5', 16);
  const iban = ibanOf('LV', 'HABA0551012345678');
  const written = {
    code: `${code.slice(0, 6)} \u2013 ${code.slice(6)}`,
    newCode: `${newCode.slice(0, 6)}\u2011${newCode.slice(6)}`,
    card: card.replace(/(\d{4})(?=\d)/g, '$1 '),
    iban: iban.toLowerCase(),
  };
  const secrets = [code, newCode, card, iban];
  /** Every secret's digits, however the JSON wrote them. */
  const leaked = (json: string) =>
    secrets.filter(
      (s) =>
        json
          .replace(/[^0-9A-Za-z]/g, '')
          .toUpperCase()
          .includes(s.toUpperCase()) || json.includes(s),
    );

  const activity = (): Partial<Activity> & Record<string, unknown> => ({
    type: 'message',
    id: 'a1',
    timestamp: new Date('2026-05-15T10:00:00Z'),
    channelId: 'directline',
    conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: `saruna ${written.code}` },
    from: { id: 'dl_user', role: 'user', name: `Jānis ${written.newCode}` },
    recipient: { id: 'padoms', name: 'Padoms', role: 'bot' },
    text: `kods ${written.code}`,
    speak: `karte ${written.card}`,
    summary: `konts ${written.iban}`,
    name: `event ${written.code}`,
    valueType: `type ${written.card}`,
    localTimezone: written.newCode,
    value: { a: { b: [1, true, null, [{ deep: `kods ${written.code}` }]] }, list: [written.card, [written.iban]], n: 42 },
    channelData: { clientActivityID: 'x1', nested: { note: `p.k. ${written.newCode}` }, [`key ${code}`]: 'a code in a key' },
    entities: [{ type: 'ClientCapabilities', note: written.iban, geo: { place: written.code } }],
    attachments: [
      { contentType: 'application/vnd.microsoft.card.hero', name: written.card, content: { title: written.code, buttons: [{ value: written.iban }] } },
    ],
    extraField: { anything: [`${written.newCode}`] },
  });

  it('masks a code, card or IBAN in every string of the activity, at any depth, and in keys', () => {
    const before = activity();
    expect(leaked(JSON.stringify(before))).toEqual(secrets);
    const redacted = redactActivity(before);
    expect(leaked(JSON.stringify(redacted))).toEqual([]);
    expect(leaked(toJsonText(redacted))).toEqual([]);
    const json = asJson(redacted) as Record<string, unknown> & Partial<Activity>;
    expect(json.text).toBe('kods [personas kods]');
    expect(json.from?.name).toBe('Jānis [personas kods]');
    expect(json.value).toEqual({ a: { b: [1, true, null, [{ deep: 'kods [personas kods]' }]] }, list: ['[kartes numurs]', ['[konta numurs]']], n: 42 });
    expect(json.channelData).toEqual({ clientActivityID: 'x1', nested: { note: 'p.k. [personas kods]' }, 'key [personas kods]': 'a code in a key' });
    expect(json.attachments?.[0]).toEqual({
      contentType: 'application/vnd.microsoft.card.hero',
      name: '[kartes numurs]',
      content: { title: '[personas kods]', buttons: [{ value: '[konta numurs]' }] },
    });
    expect(json['extraField']).toEqual({ anything: ['[personas kods]'] });
  });

  it('keeps everything else: ids, numbers, booleans, null, the timestamp as a Date; the input is not changed', () => {
    const before = activity();
    const copy = structuredClone(before);
    const redacted = redactActivity(before);
    expect(before).toEqual(copy);
    expect(redacted.timestamp).toEqual(new Date('2026-05-15T10:00:00Z'));
    expect(redacted.id).toBe('a1');
    expect(redacted.recipient).toEqual({ id: 'padoms', name: 'Padoms', role: 'bot' });
    expect(redacted.type).toBe('message');
  });

  it('stores a value nested 2,500 deep without throwing: the part below the limit is cut off and marked', () => {
    let deep: unknown = [`kods ${written.code}`];
    for (let i = 0; i < 2_500; i++) deep = [deep];
    const nested = { ...activity(), value: deep, channelData: JSON.parse('{"a":'.repeat(2_500) + `"${written.card}"` + '}'.repeat(2_500)) as unknown };
    const redacted = redactActivity(nested);
    const json = toJsonText(redacted);
    expect(leaked(json)).toEqual([]);
    expect(json).toContain('pārāk dziļi');
    expect(() => asJson(redacted)).not.toThrow();
    // toJsonText alone (a state document, a handover reference) is safe too, and still drops NULs.
    expect(() => toJsonText({ doc: deep })).not.toThrow();
    expect(toJsonText({ 'k\u0000ey': 'va\u0000lue' })).toBe('{"key":"value"}');
    expect(toJsonText({ a: [1, 'x\u0000y'], at: new Date(0) })).toBe('{"a":[1,"xy"],"at":"1970-01-01T00:00:00.000Z"}');
    // What has neither is written as it is.
    expect(toJsonText({ a: [1, 'b'], c: { d: null } })).toBe(JSON.stringify({ a: [1, 'b'], c: { d: null } }));
  });
});
