// Removes what a citizen must not leave in our records: Latvian personal codes, payment card numbers
// and IBANs. Applied before anything is stored (transcripts, unanswered questions) or logged.
import { getCountrySpecifications, validateIBAN, ValidationErrorsIBAN } from 'ibantools';

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

/** ASCII and full-width digits (a phone's Asian keyboard, or text pasted from one). */
const DIGIT = '0-9\\uFF10-\\uFF19';
/**
 * What people put between the parts of a number: spaces of every width and the invisible ones
 * (zero-width, soft hyphen, word joiner), line breaks, every hyphen, dash and minus sign, dots,
 * slashes and underscores. The check digits, not the separators, decide what is a code.
 */
const SEPARATOR =
  ' \\t\\r\\n\\u00A0\\u00AD\\u1680\\u2000-\\u200D\\u202F\\u205F\\u2060\\u3000\\uFEFF' + '\\-\\u2010-\\u2015\\u2212\\uFE58\\uFE63\\uFF0D' + '._/\\uFF0E\\uFF0F';
const IS_SEPARATOR = new RegExp(`^[${SEPARATOR}]$`);
const ALPHANUMERIC = /^[A-Za-z0-9]$/;

/** Digit groups joined by short runs of separators: where a code or card may hide. */
const DIGIT_CHAIN = new RegExp(`[${DIGIT}]+(?:[${SEPARATOR}]{1,5}[${DIGIT}]+)*`, 'g');
const DIGIT_GROUP = new RegExp(`[${DIGIT}]+`, 'g');
/** An IBAN starts with its country and check digits, written together; it may be glued to a word. */
const IBAN_START = /[A-Za-z]{2}\d{2}/g;

/** Longest run of digit groups looked at together: a card written digit by digit has 19. */
const MAX_GROUPS = 19;

/**
 * How people split a personal code (digits per group): 6-5 as printed, the date apart
 * (DD.MM.YY-CNNNN), the century digit apart, and phone-style groups of three or four. Old codes
 * (a date and a check digit) are also taken in any other split; new codes (32…, no date and, as
 * far as we check, no check digit) only in these.
 */
const CODE_SHAPES = new Set(['11', '6,5', '6,1,4', '2,2,2,5', '2,2,2,1,4', '3,3,3,2', '4,4,3', '3,3,5']);

export function redact(text: string): Redacted {
  const found = new Set<Redaction>();
  const out = maskNumbers(maskIbans(text, found), found);
  return { text: out, found: [...found] };
}

/** IBANs first: their digits must not be read as a code or a card. */
function maskIbans(text: string, found: Set<Redaction>): string {
  let out = '';
  let copiedTo = 0;
  IBAN_START.lastIndex = 0;
  for (let m = IBAN_START.exec(text); m !== null; m = IBAN_START.exec(text)) {
    const end = ibanEnd(text, m.index);
    if (end === undefined) {
      IBAN_START.lastIndex = m.index + 1;
      continue;
    }
    out += text.slice(copiedTo, m.index) + MASK.iban;
    copiedTo = end;
    found.add('iban');
    IBAN_START.lastIndex = end;
  }
  return out + text.slice(copiedTo);
}

/**
 * Where a valid IBAN starting at `start` ends: exactly its country's length in letters and digits,
 * written together or split into groups of four by short runs of separators (so a match cannot
 * run on into the next words).
 */
function ibanEnd(text: string, start: number): number | undefined {
  const length = IBAN_LENGTHS[text.slice(start, start + 2).toUpperCase()];
  if (length === undefined) return undefined;
  let compact = '';
  let at = start;
  while (compact.length < length && at < text.length) {
    const ch = text[at]!;
    if (ALPHANUMERIC.test(ch)) {
      compact += ch;
      at++;
      continue;
    }
    if (compact.length % 4 !== 0) return undefined;
    let run = 0;
    while (at + run < text.length && run <= 3 && IS_SEPARATOR.test(text[at + run]!)) run++;
    if (run === 0 || run > 3) return undefined;
    at += run;
  }
  return compact.length === length && isIban(compact) ? at : undefined;
}

interface Group {
  start: number;
  end: number;
  digits: string;
}

interface Candidate {
  first: number;
  last: number;
  kind: Redaction;
  /** Lower is surer: a code in a usual shape, then a card, then an old code split oddly. */
  rank: number;
}

/** Personal codes and cards: among the digit groups of each chain, the valid runs of groups. */
function maskNumbers(text: string, found: Set<Redaction>): string {
  let out = '';
  let copiedTo = 0;
  for (const chain of text.matchAll(DIGIT_CHAIN)) {
    const base = chain.index;
    const groups: Group[] = [...chain[0].matchAll(DIGIT_GROUP)].map((g) => ({
      start: base + g.index,
      end: base + g.index + g[0].length,
      digits: asciiDigits(g[0]),
    }));
    // "+371 …", "+32 …": a phone number's country code, never the start of a code or a card.
    const phone = /\+[ \u00A0]?$/.test(text.slice(Math.max(0, base - 2), base));
    // "DE89 3704 0044 …" that failed mod 97 is a mistyped account number, not a card.
    if (looksLikeIban(text.slice(Math.max(0, base - 3), base), groups)) continue;
    for (const c of chosen(candidates(groups, phone))) {
      out += text.slice(copiedTo, groups[c.first]!.start) + MASK[c.kind];
      copiedTo = groups[c.last]!.end;
      found.add(c.kind);
    }
  }
  return out + text.slice(copiedTo);
}

function looksLikeIban(before: string, groups: Group[]): boolean {
  const country = /(?:^|[^A-Za-z])([A-Za-z]{2})$/.exec(before)?.[1];
  return country !== undefined && IBAN_LENGTHS[country.toUpperCase()] !== undefined && groups[0]!.digits.length === 2 && groups[1]?.digits.length === 4;
}

function candidates(groups: Group[], phone: boolean): Candidate[] {
  const found: Candidate[] = [];
  for (let first = phone ? 1 : 0; first < groups.length; first++) {
    let digits = '';
    let shape = '';
    let singles = true;
    let cardPrefix: boolean | undefined;
    for (let last = first; last < groups.length && last - first < MAX_GROUPS; last++) {
      const group = groups[last]!.digits;
      digits += group;
      if (digits.length > 19) break;
      shape += last === first ? String(group.length) : `,${group.length}`;
      singles &&= group.length === 1;
      if (digits.length !== 11 && digits.length < 13) continue;
      cardPrefix ??= isCardPrefix(digits);
      const kind = classify(digits, shape, singles, cardPrefix);
      if (kind !== undefined) found.push({ first, last, ...kind });
    }
  }
  return found;
}

/** `shape` is the digits per group ("6,5"); `singles` when every group is one digit; `cardPrefix` as isCardPrefix. */
function classify(digits: string, shape: string, singles: boolean, cardPrefix: boolean): Pick<Candidate, 'kind' | 'rank'> | undefined {
  if (digits.length === 11) {
    if (!isPersonalCode(digits)) return undefined;
    if (CODE_SHAPES.has(shape) || singles) return { kind: 'personal-code', rank: 0 };
    return digits.startsWith('32') ? undefined : { kind: 'personal-code', rank: 2 };
  }
  if (cardPrefix && isCardShape(shape, singles) && isLuhn(digits)) return { kind: 'card', rank: 1 };
  return undefined;
}

/**
 * Card networks' first digits (ISO/IEC 7812): 3 (Amex, Diners, JCB), 4 (Visa), 5 (Mastercard,
 * Maestro), 6 (Maestro, Discover, UnionPay), 9 (national schemes), and 2 only for Mastercard
 * (2221–2720) and Mir (2200–2204). Lists of years ("2019 2020 2021 2022") start with 1 or 20.
 */
function isCardPrefix(digits: string): boolean {
  if (/^[34569]/.test(digits)) return true;
  const four = Number(digits.slice(0, 4));
  return (four >= 2200 && four <= 2204) || (four >= 2221 && four <= 2720);
}

/** Written together, in fours (the last group shorter), 4-6-5 or 4-6-4 (Amex, Diners), or digit by digit. */
const CARD_SHAPE = /^(?:\d+|(?:4,)+[1-4]|4,6,[45])$/;
function isCardShape(shape: string, singles: boolean): boolean {
  return singles || CARD_SHAPE.test(shape);
}

/** The surest candidates first, then the earliest, then the longest; none overlapping. */
function chosen(all: Candidate[]): Candidate[] {
  const taken: Candidate[] = [];
  const used = new Set<number>();
  const sorted = [...all].sort((a, b) => a.rank - b.rank || a.first - b.first || b.last - a.last);
  next: for (const c of sorted) {
    for (let g = c.first; g <= c.last; g++) if (used.has(g)) continue next;
    for (let g = c.first; g <= c.last; g++) used.add(g);
    taken.push(c);
  }
  return taken.sort((a, b) => a.first - b.first);
}

function asciiDigits(text: string): string {
  return text.replace(/[\uFF10-\uFF19]/g, (d) => String(d.charCodeAt(0) - 0xff10));
}

/** Old codes DDMMYY-CNNNN with a real date and a valid check digit; new codes start with 32. */
export function isPersonalCode(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  if (digits.startsWith('32')) return true;
  const d = [...digits].map(Number);
  const [day, month, year, century] = [d[0]! * 10 + d[1]!, d[2]! * 10 + d[3]!, d[4]! * 10 + d[5]!, d[6]!];
  // Since 1 July 2017 codes carry no date (the 32… form): an old code cannot be born after 2017.
  if (century > 2 || (century === 2 && year > 17)) return false;
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

/**
 * IBAN lengths by country, from ibantools' copy of the SWIFT IBAN registry (only registry
 * countries: with any two letters allowed, a word such as "es" followed by digits would pass mod 97
 * once in 97 tries).
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(getCountrySpecifications())
    .filter(([, spec]) => spec.IBANRegistry === true && spec.chars !== undefined && spec.chars !== null)
    .map(([country, spec]) => [country, spec.chars as number]),
);

const SEPARATORS = new RegExp(`[${SEPARATOR}]`, 'g');

/**
 * An IBAN: its country's length and account format, and the mod-97 check, separators ignored. A
 * national bank-branch checksum that fails still counts: a mistyped account number is still the
 * citizen's to keep out of our records.
 */
export function isIban(candidate: string): boolean {
  const iban = candidate.replace(SEPARATORS, '').toUpperCase();
  if (IBAN_LENGTHS[iban.slice(0, 2)] === undefined) return false;
  return validateIBAN(iban).errorCodes.every((code) => code === ValidationErrorsIBAN.WrongAccountBankBranchChecksum);
}

/** The text without the redaction marks: what the matcher should read (a mark is not a topic). */
export function withoutRedactions(text: string): string {
  let out = text;
  for (const mask of Object.values(MASK)) out = out.split(mask).join(' ');
  return out;
}
