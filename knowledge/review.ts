// When a knowledge entry is due for review: `reviewed` plus the agency profile's
// `reviewIntervalDays`. One rule for `npm run kb:check` (a warning, knowledge/load.ts) and the staff
// console's knowledge studio (the entry flagged, the count shown on login), so they never disagree.
// Days are UTC calendar days, as kb:check has always counted them.
const DAY_MS = 86_400_000;

/** The last day an entry reviewed on `reviewed` (YYYY-MM-DD) is still within its interval. */
export function reviewDueBy(reviewed: string, intervalDays: number): string {
  return new Date(Date.parse(`${reviewed}T00:00:00Z`) + intervalDays * DAY_MS).toISOString().slice(0, 10);
}

/** Entries reviewed before this day (YYYY-MM-DD) are overdue on `today`. */
export function reviewedBefore(today: Date, intervalDays: number): string {
  return new Date(today.getTime() - intervalDays * DAY_MS).toISOString().slice(0, 10);
}

/** The entry's last review is older than the interval. */
export function reviewOverdue(reviewed: string, intervalDays: number, today: Date): boolean {
  return reviewed < reviewedBefore(today, intervalDays);
}
