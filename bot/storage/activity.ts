// Activities as stored: redacted, and plain JSON (dates become ISO strings), the same in every store.
import type { Activity } from 'botbuilder';
import { redact } from '../privacy/redact.js';

/** A copy with personal codes, card numbers and IBANs masked in every string, keys included, at any depth. */
export function redactActivity<T extends Partial<Activity>>(activity: T): T {
  return boundedCopy(activity, (text) => redact(text).text) as T;
}

/** Any JSON-shaped value (a conversation reference, an account) with every string redacted, keys included. */
export function redactValue<T>(value: T): T {
  return boundedCopy(value, (text) => redact(text).text) as T;
}

/** What the citizen reads in the bot's activities: kept as written (an agency's account number in an answer must reach them). */
const BOT_CONTENT = new Set(['text', 'speak', 'summary', 'attachments', 'suggestedActions', 'value', 'channelData', 'entities']);

/**
 * What a Direct Line store keeps: the citizen's activities redacted in full; in the bot's, what the
 * citizen reads as sent, the rest redacted: the recipient and `relatesTo` (a handoff's reference)
 * are the citizen's account, with the name their client chose.
 */
export function directLineRecord<T extends Partial<Activity>>(activity: T): T {
  if (isFromUser(activity)) return redactActivity(activity);
  return Object.fromEntries(Object.entries(activity).map(([k, v]) => [k, BOT_CONTENT.has(k) ? v : redactValue(v)])) as T;
}

/**
 * Deeper than this, a subtree is stored as TOO_DEEP. JSON.stringify recurses: a client's value of
 * 2,500 nested arrays would overflow the stack and lose the message. Real activities (cards
 * included) stay far below; state documents too.
 */
export const MAX_DEPTH = 64;
export const TOO_DEEP = '[pārāk dziļi ligzdots]';

/**
 * A JSON-shaped copy with `text` applied to every string, object keys included. Iterative, so
 * depth cannot overflow the stack. Dates stay Dates (stores and activityTime read them); other
 * objects with toJSON are copied as their JSON form, as JSON.stringify would write them.
 */
export function boundedCopy(value: unknown, text: (s: string) => string): unknown {
  const root: Record<string, unknown> = {};
  const work: { from: unknown; into: Record<string, unknown> | unknown[]; key: string | number; depth: number }[] = [
    { from: value, into: root, key: 'value', depth: 0 },
  ];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const { into, key, depth } = item;
    const from = hasToJson(item.from) ? item.from.toJSON() : item.from;
    let copy: unknown = from;
    if (typeof from === 'string') copy = text(from);
    else if (from === null || typeof from !== 'object' || from instanceof Date) copy = from;
    else if (depth >= MAX_DEPTH) copy = TOO_DEEP;
    else if (Array.isArray(from)) {
      const list = new Array<unknown>(from.length);
      from.forEach((v: unknown, i) => work.push({ from: v, into: list, key: i, depth: depth + 1 }));
      copy = list;
    } else {
      const object: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(from)) {
        const name = text(k);
        put(object, name, undefined); // keeps the keys in order; filled when popped
        work.push({ from: v, into: object, key: name, depth: depth + 1 });
      }
      copy = object;
    }
    put(into, key, copy);
  }
  return root['value'];
}

function hasToJson(v: unknown): v is { toJSON(): unknown } {
  return v !== null && typeof v === 'object' && !(v instanceof Date) && typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * An own property even for the key "__proto__" (which JSON.parse makes, and `=` would not).
 * Only that key needs defineProperty: for every other key it cost 4 % of a turn's CPU (profile).
 */
function put(into: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else (into as Record<string | number, unknown>)[key] = value;
}

/** Whether the citizen (not the bot or staff) sent it: only their words are redacted in Direct Line. */
export function isFromUser(activity: Partial<Activity>): boolean {
  return activity.from?.role === 'user';
}

/** A JSON round trip: what a SQL store would give back (nesting cut off at MAX_DEPTH, as there). */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(boundedCopy(value, (s) => s))) as T;
}

/** The activity's time as a Date (channels send strings), or `fallback`. */
export function activityTime(activity: Partial<Activity>, fallback: Date): Date {
  const raw = activity.timestamp as Date | string | undefined;
  if (raw === undefined) return fallback;
  const at = raw instanceof Date ? raw : new Date(raw);
  return Number.isNaN(at.getTime()) ? fallback : at;
}

/**
 * JSON for a database column. NUL characters are dropped (keys too): PostgreSQL's jsonb and text
 * types refuse them, and a citizen's message must not be able to make a write fail. Nesting below
 * MAX_DEPTH is cut off for the same reason.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(boundedCopy(value, withoutNul));
}

export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}
