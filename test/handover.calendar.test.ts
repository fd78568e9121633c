// Working days and hours with pinned instants: Latvian public holidays (date-holidays), the Monday
// substitutes for 4 May and 18 November, the profile's override table, the agency's time zone.
import { describe, expect, it } from 'vitest';
import { addWorkingDays, createCalendar, nextOpening, type CalendarProfile } from '../bot/handover/calendar.js';

const consultationHours: CalendarProfile = {
  timeZone: 'Europe/Riga',
  hours: {
    mon: [['13:00', '15:00']],
    tue: [['13:00', '15:00']],
    wed: [['13:00', '15:00']],
    thu: [['13:00', '15:00']],
    fri: [['13:00', '15:00']],
    sat: [],
    sun: [],
  },
  holidayOverrides: [],
};
const calendar = createCalendar(consultationHours);
/** The end of a Riga day (UTC+2 in winter, +3 in summer). */
const endOfRigaDay = (day: string, offsetHours = 2) => new Date(new Date(`${day}T23:59:59.999Z`).getTime() - offsetHours * 3_600_000);

describe('Latvian working days', () => {
  it('knows the 2026 public holidays of the stack notes, weekdays among them are days off', () => {
    const holidays2026 = ['01-01', '04-03', '04-05', '04-06', '05-01', '05-04', '06-23', '06-24', '11-18', '12-24', '12-25', '12-26', '12-31'];
    for (const d of holidays2026) expect(calendar.isWorkingDay(`2026-${d}`), `2026-${d}`).toBe(false);
    expect(calendar.isWorkingDay('2026-11-17')).toBe(true);
    expect(calendar.isWorkingDay('2026-11-19')).toBe(true);
    expect(calendar.isWorkingDay('2026-11-14')).toBe(false); // Saturday
    expect(calendar.describe('2026-11-18')).toMatch(/proklamēšanas/);
  });

  it('a case left on Friday 13 November 2026 in the afternoon with N = 2 is due at the end of Tuesday 17 November', () => {
    const friday = new Date('2026-11-13T13:30:00Z'); // 15:30 in Riga
    expect(addWorkingDays(friday, 2, calendar)).toEqual(endOfRigaDay('2026-11-17'));
  });

  it('with N = 3 the holiday of Wednesday 18 November is skipped: due Thursday 19 November', () => {
    expect(addWorkingDays(new Date('2026-11-13T13:30:00Z'), 3, calendar)).toEqual(endOfRigaDay('2026-11-19'));
    expect(addWorkingDays(new Date('2026-11-17T08:00:00Z'), 1, calendar)).toEqual(endOfRigaDay('2026-11-19'));
  });

  it('18 November on a Saturday (2028) makes Monday 20 November a day off', () => {
    expect(calendar.isWorkingDay('2028-11-18')).toBe(false);
    expect(calendar.isWorkingDay('2028-11-20')).toBe(false);
    expect(addWorkingDays(new Date('2028-11-17T10:00:00Z'), 1, calendar)).toEqual(endOfRigaDay('2028-11-21'));
  });

  it('4 May on a Sunday (2025) makes Monday 5 May a day off; 1 May on a Saturday (2027) has no substitute', () => {
    expect(calendar.isWorkingDay('2025-05-05')).toBe(false);
    expect(addWorkingDays(new Date('2025-05-02T10:00:00Z'), 1, calendar)).toEqual(endOfRigaDay('2025-05-06', 3));
    expect(calendar.isWorkingDay('2027-05-03')).toBe(true);
  });

  it('Christmas and New Year’s Eve 2026: a question on 23 December with N = 1 is due on Monday 28 December', () => {
    expect(addWorkingDays(new Date('2026-12-23T09:00:00Z'), 1, calendar)).toEqual(endOfRigaDay('2026-12-28'));
    expect(addWorkingDays(new Date('2026-12-30T09:00:00Z'), 1, calendar)).toEqual(endOfRigaDay('2027-01-04'));
  });

  it('a question left on a Saturday counts from Monday; N = 0 is the end of the same day', () => {
    expect(addWorkingDays(new Date('2026-11-14T10:00:00Z'), 1, calendar)).toEqual(endOfRigaDay('2026-11-16'));
    expect(addWorkingDays(new Date('2026-11-16T10:00:00Z'), 0, calendar)).toEqual(endOfRigaDay('2026-11-16'));
    expect(() => addWorkingDays(new Date(), -1, calendar)).toThrow(RangeError);
  });

  it('the day is the agency’s: 23:30 UTC on Friday is already Saturday in Riga', () => {
    expect(calendar.dayOf(new Date('2026-11-13T23:30:00Z'))).toBe('2026-11-14');
    expect(addWorkingDays(new Date('2026-11-13T23:30:00Z'), 1, calendar)).toEqual(endOfRigaDay('2026-11-16'));
  });
});

describe('the override table for days the government moves', () => {
  const moved = createCalendar({
    ...consultationHours,
    holidayOverrides: [
      { date: '2026-11-20', working: false, note: 'Pārcelta darba diena (pēc 18. novembra)' },
      { date: '2026-11-28', working: true, note: 'Darba diena sestdienā, pārcelta no 20. novembra' },
      { date: '2026-07-03', working: false, note: 'Dziesmu un deju svētku noslēguma diena' },
    ],
  });

  it('turns a Friday into a day off and a Saturday into a working day', () => {
    expect(moved.isWorkingDay('2026-11-20')).toBe(false);
    expect(moved.isWorkingDay('2026-11-28')).toBe(true);
    expect(moved.isWorkingDay('2026-07-03')).toBe(false);
    expect(moved.describe('2026-11-28')).toMatch(/sestdienā/);
    // Thursday 19th, N = 1: Friday 20th is off, so Monday 23rd. Friday 27th, N = 1: the worked Saturday 28th.
    expect(addWorkingDays(new Date('2026-11-19T09:00:00Z'), 1, moved)).toEqual(endOfRigaDay('2026-11-23'));
    expect(addWorkingDays(new Date('2026-11-27T09:00:00Z'), 1, moved)).toEqual(endOfRigaDay('2026-11-28'));
  });

  it('a worked Saturday without hours of its own gets the weekday hours; a moved day off has none', () => {
    expect(moved.hoursOn('2026-11-28')).toEqual([['13:00', '15:00']]);
    expect(moved.hoursOn('2026-11-20')).toEqual([]);
    expect(moved.isOpen(new Date('2026-11-28T11:30:00Z'))).toBe(true);
    expect(moved.nextOpening(new Date('2026-11-27T14:00:00Z'))).toEqual(new Date('2026-11-28T11:00:00Z'));
  });
});

describe('working hours and the next opening', () => {
  it('is open 13:00–15:00 Riga time on working days only', () => {
    expect(calendar.isOpen(new Date('2026-11-13T11:00:00Z'))).toBe(true); // 13:00
    expect(calendar.isOpen(new Date('2026-11-13T12:59:00Z'))).toBe(true); // 14:59
    expect(calendar.isOpen(new Date('2026-11-13T13:00:00Z'))).toBe(false); // 15:00
    expect(calendar.isOpen(new Date('2026-11-18T11:30:00Z'))).toBe(false); // holiday
    expect(calendar.isOpen(new Date('2026-11-14T11:30:00Z'))).toBe(false); // Saturday
  });

  it('after Friday’s hours the next opening is Monday 13:00; after Tuesday’s it skips the 18 November holiday', () => {
    expect(nextOpening(new Date('2026-11-13T13:30:00Z'), calendar)).toEqual(new Date('2026-11-16T11:00:00Z'));
    expect(nextOpening(new Date('2026-11-17T14:00:00Z'), calendar)).toEqual(new Date('2026-11-19T11:00:00Z'));
    // Before the hours on a working day: the same day.
    expect(nextOpening(new Date('2026-11-19T06:00:00Z'), calendar)).toEqual(new Date('2026-11-19T11:00:00Z'));
  });

  it('follows summer time: 13:00 in Riga is 10:00 UTC after the last Sunday of March', () => {
    expect(nextOpening(new Date('2026-03-27T13:30:00Z'), calendar)).toEqual(new Date('2026-03-30T10:00:00Z'));
    expect(calendar.isOpen(new Date('2026-03-30T10:30:00Z'))).toBe(true);
  });

  it('a profile without hours never opens', () => {
    const closed = createCalendar({ ...consultationHours, hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } });
    expect(closed.nextOpening(new Date('2026-11-13T10:00:00Z'))).toBeUndefined();
  });
});
