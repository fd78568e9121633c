// Working days and hours of the agency: the profile's weekly hours in its time zone, Latvian public
// holidays (with the Monday substitutes for 4 May and 18 November) from date-holidays, and the
// profile's override table for days the government moves. Every function takes the time it works
// on; nothing here reads the clock.
import Holidays from 'date-holidays';
import type { AgencyProfile } from '../../knowledge/schema.js';

/** A calendar day in the agency's time zone, `YYYY-MM-DD`. */
export type DayKey = string;
type Interval = readonly [string, string];
type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** How far ahead nextOpening looks before giving up (a profile with no hours at all). */
const SEARCH_DAYS = 400;

export interface WorkingCalendar {
  readonly timeZone: string;
  /** A Latvian working day: Monday to Friday, not a public holiday, or a day moved to be worked. */
  isWorkingDay(day: DayKey): boolean;
  /** Staff hours on that day: none on holidays and days off. */
  hoursOn(day: DayKey): readonly Interval[];
  /** Within staff hours at that moment. */
  isOpen(at: Date): boolean;
  /** The next start of staff hours after `at` (`at` itself is never returned); undefined if none within a year. */
  nextOpening(at: Date): Date | undefined;
  /** The agency-local day of a moment. */
  dayOf(at: Date): DayKey;
  /** The last millisecond of that local day, as a moment. */
  endOfDay(day: DayKey): Date;
  /** Why a day is off or worked, for the console: the holiday's name or the override's note. */
  describe(day: DayKey): string | undefined;
}

/** What a calendar needs: the agency's time zone, the weekly hours it counts, and moved days. */
export interface CalendarProfile extends Pick<AgencyProfile, 'timeZone'>, Partial<Pick<AgencyProfile, 'holidayOverrides'>> {
  hours: AgencyProfile['chatHours']['hours'];
}

/**
 * Latvia's public holidays of a year, computed once and cached for every calendar: they do not depend
 * on the agency, and a Holidays instance per agency's calendar cost 50 kB each.
 */
let latvia: Holidays | undefined;
const holidaysByYear = new Map<number, Map<DayKey, string>>();
function publicHolidays(year: number): Map<DayKey, string> {
  let days = holidaysByYear.get(year);
  if (days === undefined) {
    days = new Map();
    latvia ??= new Holidays('LV');
    // `date` is the local calendar date ("2026-11-18 00:00:00"); substitutes are listed as their own days.
    for (const h of latvia.getHolidays(year)) if (h.type === 'public') days.set(h.date.slice(0, 10), h.name);
    holidaysByYear.set(year, days);
  }
  return days;
}

/** The calendar of a profile. */
export function createCalendar(profile: CalendarProfile): WorkingCalendar {
  const timeZone = profile.timeZone;
  const overrides = new Map((profile.holidayOverrides ?? []).map((o) => [o.date, o]));
  const holidayName = (day: DayKey) => publicHolidays(Number(day.slice(0, 4))).get(day);
  // A worked day without hours of its own (a moved Saturday) keeps the first weekday's hours.
  const firstWeekdayHours = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => profile.hours[d]).find((h) => h.length > 0) ?? [];

  const isWorkingDay = (day: DayKey): boolean => {
    const override = overrides.get(day);
    if (override !== undefined) return override.working;
    const weekday = weekdayOf(day);
    return weekday !== 'sat' && weekday !== 'sun' && holidayName(day) === undefined;
  };

  const hoursOn = (day: DayKey): readonly Interval[] => {
    const override = overrides.get(day);
    if (override !== undefined) {
      if (!override.working) return [];
      const own = profile.hours[weekdayOf(day)];
      return override.hours ?? (own.length > 0 ? own : firstWeekdayHours);
    }
    if (holidayName(day) !== undefined) return [];
    return profile.hours[weekdayOf(day)];
  };

  const dayOf = (at: Date): DayKey => localParts(at, timeZone).day;

  const calendar: WorkingCalendar = {
    timeZone,
    isWorkingDay,
    hoursOn,
    dayOf,
    isOpen(at) {
      const { day, minutes } = localParts(at, timeZone);
      return hoursOn(day).some(([start, end]) => minutes >= toMinutes(start) && minutes < toMinutes(end));
    },
    nextOpening(at) {
      let day = dayOf(at);
      for (let i = 0; i < SEARCH_DAYS; i++, day = addDays(day, 1)) {
        const starts = hoursOn(day)
          .map(([start]) => zonedTime(day, start, timeZone))
          .filter((t) => t.getTime() > at.getTime())
          .sort((a, b) => a.getTime() - b.getTime());
        if (starts[0] !== undefined) return starts[0];
      }
      return undefined;
    },
    endOfDay(day) {
      return new Date(zonedTime(addDays(day, 1), '00:00', timeZone).getTime() - 1);
    },
    describe(day) {
      return overrides.get(day)?.note ?? holidayName(day);
    },
  };
  return calendar;
}

/**
 * The end of the n-th working day after the day of `date` (that day itself does not count, whatever
 * the hour: a question left on Friday afternoon with n = 2 is due at the end of Tuesday). n = 0: the
 * end of the same day.
 */
export function addWorkingDays(date: Date, n: number, calendar: WorkingCalendar): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('addWorkingDays: n must be a whole number ≥ 0');
  let day = calendar.dayOf(date);
  for (let counted = 0; counted < n;) {
    day = addDays(day, 1);
    if (calendar.isWorkingDay(day)) counted++;
  }
  return calendar.endOfDay(day);
}

/** The next start of staff hours after `now`. */
export function nextOpening(now: Date, calendar: WorkingCalendar): Date | undefined {
  return calendar.nextOpening(now);
}

// ---- time-zone arithmetic without a library: Intl gives the local wall clock of any instant ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(at: Date, timeZone: string): { day: DayKey; minutes: number; offsetMs: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const [y, mo, d, h, mi, s] = [parts['year'], parts['month'], parts['day'], parts['hour'], parts['minute'], parts['second']].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetMs = wall - Math.floor(at.getTime() / 1000) * 1000;
  return { day: `${parts['year']}-${parts['month']}-${parts['day']}`, minutes: h * 60 + mi, offsetMs };
}

/** The instant at which the wall clock in `timeZone` shows `time` on `day` (DST gaps resolve forwards). */
export function zonedTime(day: DayKey, time: string, timeZone: string): Date {
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = utcDay(day) + (h * 60 + mi) * 60_000;
  // Two rounds settle the offset on either side of a DST change.
  let guess = wall - localParts(new Date(wall), timeZone).offsetMs;
  guess = wall - localParts(new Date(guess), timeZone).offsetMs;
  return new Date(guess);
}

/** The day the wall clock in `timeZone` shows at `at` (YYYY-MM-DD). */
export function localDay(at: Date, timeZone: string): DayKey {
  return localParts(at, timeZone).day;
}

/** The day and the minutes since midnight the wall clock in `timeZone` shows at `at`. */
export function localClock(at: Date, timeZone: string): { day: DayKey; minutes: number } {
  const { day, minutes } = localParts(at, timeZone);
  return { day, minutes };
}

export function addDays(day: DayKey, n: number): DayKey {
  return new Date(utcDay(day) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Midnight UTC of a YYYY-MM-DD day, years before 100 included (Date.UTC maps 1 to 1901). */
function utcDay(day: DayKey): number {
  return new Date(`${day}T00:00:00Z`).getTime();
}

function weekdayOf(day: DayKey): Weekday {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()]!;
}

function toMinutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
