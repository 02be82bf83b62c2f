/**
 * Working days of La Réunion, for deadlines computed inside workflow code: pure arithmetic on
 * instants, no Intl and no time-zone database. Indian/Reunion is UTC+4 all year round (no daylight
 * saving), so a local date is the UTC date of the instant shifted by four hours.
 *
 * Not a library: date-holidays knows La Réunion's 20 December, but it brings moment-timezone and
 * astronomia into the workflow bundle (6.5 MiB instead of 1); the unit test checks this module
 * against it instead.
 */
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const reunionOffsetMs = 4 * hourMs;

/** Easter Sunday of a Gregorian year (the anonymous algorithm), as [month 1-12, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/**
 * Public holidays in La Réunion, as YYYY-MM-DD: the eleven of the Code du travail (art. L3133-1)
 * and 20 December, the abolition of slavery (décret 83-1003).
 */
export function publicHolidays(year: number): string[] {
  const [month, day] = easterSunday(year);
  const easter = Date.UTC(year, month - 1, day);
  const afterEaster = (days: number) => isoDate(easter + days * dayMs);
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-20', '12-25'];
  return [
    ...fixed.map((md) => `${year}-${md}`),
    afterEaster(1), // Lundi de Pâques
    afterEaster(39), // Ascension
    afterEaster(50), // Lundi de Pentecôte
  ].sort();
}

/** The local date in La Réunion of an instant, as YYYY-MM-DD. */
export function reunionDate(instant: number | Date): string {
  return isoDate(new Date(instant).getTime() + reunionOffsetMs);
}

/** Whether a local date (YYYY-MM-DD) is worked in La Réunion: not a weekend, not a holiday. */
export function isWorkingDay(localDate: string): boolean {
  const weekday = new Date(`${localDate}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !publicHolidays(Number(localDate.slice(0, 4))).includes(localDate);
}

/**
 * The instant `count` working days after `from`, at the same local time: each step moves one day
 * forward and counts only if that day is worked. Friday 17:55 plus one working day is the next
 * worked day at 17:55.
 */
export function addWorkingDays(from: number, count: number): number {
  let at = from;
  let counted = 0;
  while (counted < count) {
    at += dayMs;
    if (isWorkingDay(reunionDate(at))) counted += 1;
  }
  return at;
}

export const addDays = (from: number, days: number) => from + days * dayMs;
export const addHours = (from: number, hours: number) => from + hours * hourMs;

const weekdays = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
const months = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

/** « vendredi 19 décembre 2031 à 17:55 », Réunion time, without Intl (workflow-safe). */
export function formatReunion(instant: number | Date): string {
  const local = new Date(new Date(instant).getTime() + reunionOffsetMs);
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  return `${weekdays[local.getUTCDay()]} ${local.getUTCDate()} ${months[local.getUTCMonth()]} ${local.getUTCFullYear()} à ${hh}:${mm}`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
