import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  easterSunday,
  formatReunion,
  isWorkingDay,
  publicHolidays,
  reunionDate,
} from '../workflows/calendar.js';

/** 17:55 in La Réunion (UTC+4) on a local date. */
const reunion = (date: string, time = '17:55') => Date.parse(`${date}T${time}:00+04:00`);

describe('the La Réunion calendar', () => {
  it('lists the public holidays of 2025, 20 December included', () => {
    expect(publicHolidays(2025)).toEqual([
      '2025-01-01',
      '2025-04-21',
      '2025-05-01',
      '2025-05-08',
      '2025-05-29',
      '2025-06-09',
      '2025-07-14',
      '2025-08-15',
      '2025-11-01',
      '2025-11-11',
      '2025-12-20',
      '2025-12-25',
    ]);
  });

  it('agrees with date-holidays (FR, region RE) on every public holiday from 2000 to 2060', () => {
    const reference = new Holidays('FR', 'RE');
    for (let year = 2000; year <= 2060; year++) {
      const theirs = reference
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10))
        .sort();
      expect(publicHolidays(year), String(year)).toEqual(theirs);
    }
  });

  it.each([
    [2024, [3, 31]],
    [2025, [4, 20]],
    [2031, [4, 13]],
    [2038, [4, 25]],
  ])('puts Easter %i on %j', (year, monthDay) => {
    expect(easterSunday(year)).toEqual(monthDay);
  });

  it('reads local dates in UTC+4: 21:00 UTC on 19 December is already the 20th', () => {
    expect(reunionDate(Date.parse('2025-12-19T19:59:00Z'))).toBe('2025-12-19');
    expect(reunionDate(Date.parse('2025-12-19T20:00:00Z'))).toBe('2025-12-20');
  });

  it.each([
    ['2025-12-19', true, 'a Friday'],
    ['2025-12-20', false, 'a Saturday and the abolition of slavery'],
    ['2025-12-21', false, 'a Sunday'],
    ['2025-12-22', true, 'a Monday'],
    ['2025-12-25', false, 'Christmas'],
    ['2031-12-20', false, 'the abolition of slavery on a Saturday'],
    ['2027-12-20', false, 'the abolition of slavery on a Monday'],
  ])('%s is worked: %s (%s)', (date, worked) => {
    expect(isWorkingDay(date)).toBe(worked);
  });

  it('counts working days from Friday 19 December 17:55 past the weekend, 20 December and Christmas', () => {
    const friday = reunion('2025-12-19');
    const plus = (n: number) => formatReunion(addWorkingDays(friday, n));
    expect(plus(1)).toBe('lundi 22 décembre 2025 à 17:55');
    expect(plus(3)).toBe('mercredi 24 décembre 2025 à 17:55');
    expect(plus(5)).toBe('lundi 29 décembre 2025 à 17:55');
    // 31 December is worked, 1 January is not.
    expect(plus(10)).toBe('mardi 6 janvier 2026 à 17:55');
  });

  it('counts 20 December as a holiday when it falls on a weekday', () => {
    // Friday 17 December 2027; Monday 20 December is not worked.
    expect(formatReunion(addWorkingDays(reunion('2027-12-17', '09:00'), 1))).toBe(
      'mardi 21 décembre 2027 à 09:00',
    );
  });

  it('starts from the next worked day when the request is made on a weekend', () => {
    expect(formatReunion(addWorkingDays(reunion('2025-12-27', '10:00'), 1))).toBe(
      'lundi 29 décembre 2025 à 10:00',
    );
  });
});
