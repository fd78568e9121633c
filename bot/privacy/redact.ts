// Removes what a citizen must not leave in our records: Latvian personal codes, payment card numbers
// and IBANs. Applied before anything is stored (transcripts, unanswered questions) or logged.

export type Redaction = 'personal-code' | 'card' | 'iban';

export interface Redacted {
  text: string;
  found: Redaction[];
}

const MASK: Record<Redaction, string> = {
  'personal-code': '[personas kods]',
  card: '[kartes numurs]',
  iban: '[konta numurs]',
};

// 11 digits, optionally split 6-5 by a hyphen or space, not inside a longer number.
const PERSONAL_CODE = /(?<![\d-])(\d{6})[-\s]?(\d{5})(?![\d-])/g;
// 13–19 digits in groups separated by single spaces or hyphens.
const CARD = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
// Country code, check digits, then 11–30 letters/digits, optionally in groups of four.
const IBAN = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b/gi;

export function redact(text: string): Redacted {
  const found = new Set<Redaction>();
  let out = text.replace(IBAN, (m) => {
    // The pattern may run on into the next word ("LV80BANK0000435195001 un"): keep the longest
    // start of the match that is a valid IBAN, and leave the rest as written.
    for (let end = m.length; end >= 15; end--) {
      const candidate = m.slice(0, end);
      if (/\s$/.test(candidate) || !isIban(candidate)) continue;
      found.add('iban');
      return MASK.iban + m.slice(end);
    }
    return m;
  });
  out = out.replace(PERSONAL_CODE, (m, a: string, b: string) =>
    isPersonalCode(a + b) ? (found.add('personal-code'), MASK['personal-code']) : m,
  );
  out = out.replace(CARD, (m) => (isLuhn(m.replace(/\D/g, '')) ? (found.add('card'), MASK.card) : m));
  return { text: out, found: [...found] };
}

/** Old codes DDMMYY-CNNNN with a real date and a valid check digit; new codes start with 32. */
export function isPersonalCode(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  if (digits.startsWith('32')) return true;
  const d = [...digits].map(Number);
  const [day, month, year, century] = [d[0]! * 10 + d[1]!, d[2]! * 10 + d[3]!, d[4]! * 10 + d[5]!, d[6]!];
  if (century > 2) return false;
  const fullYear = 1800 + century * 100 + year;
  const date = new Date(Date.UTC(fullYear, month - 1, day));
  if (date.getUTCFullYear() !== fullYear || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  const weights = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * d[i]!, 0);
  const check = (((1101 - sum) % 11) + 11) % 11;
  return check < 10 && check === d[10];
}

export function isLuhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

// IBAN lengths by country (ISO 13616 registry) for the countries citizens here mostly bank in;
// a known country must have exactly its length, which also stops a match running into the next word.
const IBAN_LENGTHS: Record<string, number> = {
  LV: 21, LT: 20, EE: 20, FI: 18, SE: 24, DE: 22, PL: 28, GB: 22, IE: 22, FR: 27, NL: 18, BE: 16, DK: 18, NO: 15,
  ES: 24, IT: 27, AT: 20, CH: 21, CZ: 24, SK: 24, UA: 29,
};

export function isIban(candidate: string): boolean {
  const iban = candidate.replace(/\s/g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** The text without the redaction marks: what the matcher should read (a mark is not a topic). */
export function withoutRedactions(text: string): string {
  let out = text;
  for (const mask of Object.values(MASK)) out = out.split(mask).join(' ');
  return out;
}
