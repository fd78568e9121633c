// Activities as stored: redacted, and plain JSON (dates become ISO strings), the same in every store.
import type { Activity } from 'botbuilder';
import { redact } from '../privacy/redact.js';

/** The fields where people write free text. */
const TEXT_FIELDS = ['text', 'speak', 'summary'] as const;

/** A copy with personal codes, card numbers and IBANs masked in every free-text field. */
export function redactActivity<T extends Partial<Activity>>(activity: T): T {
  const copy = { ...activity };
  for (const field of TEXT_FIELDS) {
    const value = copy[field];
    if (typeof value === 'string') (copy as Record<string, unknown>)[field] = redact(value).text;
  }
  return copy;
}

/** Whether the citizen (not the bot or staff) sent it: only their words are redacted in Direct Line. */
export function isFromUser(activity: Partial<Activity>): boolean {
  return activity.from?.role === 'user';
}

/** A JSON round trip: what a SQL store would give back. */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The activity's time as a Date (channels send strings), or `fallback`. */
export function activityTime(activity: Partial<Activity>, fallback: Date): Date {
  const raw = activity.timestamp as Date | string | undefined;
  if (raw === undefined) return fallback;
  const at = raw instanceof Date ? raw : new Date(raw);
  return Number.isNaN(at.getTime()) ? fallback : at;
}

/**
 * JSON for a database column. NUL characters are dropped: PostgreSQL's jsonb and text types refuse
 * them, and a citizen's message must not be able to make a write fail.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? withoutNul(v) : v));
}

export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}
