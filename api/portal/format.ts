/** Dates and durations as people in La Réunion read them. */
const timeZone = 'Indian/Reunion';

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'full',
  timeStyle: 'short',
  timeZone,
});
const longDay = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeZone });
const time = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone });
// Calendar dates (a key's expiry) carry no time: read them in UTC so they never shift a day.
const calendarDay = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone });

/** "vendredi 10 mars 2023 à 10:08" */
export const formatDateTime = (at: string | Date) => dateTime.format(new Date(at));

/** "vendredi 10 mars 2023" */
export const formatLongDay = (at: string | Date) => longDay.format(new Date(at));

/** "10:08" */
export const formatTime = (at: string | Date) => time.format(new Date(at));

/** "30 juin 2023" from "2023-06-30". */
export const formatCalendarDay = (day: string) => calendarDay.format(new Date(`${day}T00:00:00Z`));

/** The day in La Réunion, "2023-03-10", to tell today's appointments from later ones. */
export const reunionDay = (at: string | Date) => isoDay.format(new Date(at));

/** How long something has waited: "3 j 4 h", "2 h 15 min", "5 min", "moins d’une minute". */
export function formatWaiting(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'moins d’une minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} j ${hours} h` : `${days} j`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}
