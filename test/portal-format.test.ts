import { describe, expect, it } from 'vitest';
import { formErrors } from '../api/portal/client.js';
import {
  formatCalendarDay,
  formatDateTime,
  formatWaiting,
  reunionDay,
} from '../api/portal/format.js';
import { statusTexts, stepLabels } from '../api/portal/labels.js';
import { safeReturn } from '../api/portal/session.js';
import { statuses, stepsFor } from '../workflows/steps.js';

describe('dates in French, in La Réunion’s time', () => {
  it('reads like the procedure: "vendredi 10 mars 2023 à 10:08"', () => {
    expect(formatDateTime('2023-03-10T06:08:00Z')).toBe('vendredi 10 mars 2023 à 10:08');
  });

  it('puts a late evening in Paris on the next day in Saint-Denis', () => {
    expect(reunionDay('2023-03-10T21:30:00Z')).toBe('2023-03-11');
  });

  it('never shifts a key’s expiry date, whatever the time zone', () => {
    expect(formatCalendarDay('2023-06-30')).toBe('30 juin 2023');
  });

  it.each([
    [20_000, 'moins d’une minute'],
    [5 * 60_000, '5 min'],
    [(2 * 60 + 15) * 60_000, '2 h 15 min'],
    [3 * 3_600_000, '3 h'],
    [(3 * 24 + 4) * 3_600_000, '3 j 4 h'],
    [2 * 86_400_000, '2 j'],
  ])('says how long a request has waited: %i ms is "%s"', (ms, text) => {
    expect(formatWaiting(ms)).toBe(text);
  });
});

describe('labels', () => {
  it('name every step of both key types and every status in French', () => {
    const steps = new Set([...stepsFor('software'), ...stepsFor('hardware')]);
    for (const step of steps) expect(stepLabels[step]).toMatch(/^[A-ZÉ]/);
    for (const status of statuses) expect(statusTexts[status].badge).toMatch(/^[A-ZÉ]/);
  });
});

describe('API refusals on a form', () => {
  it('go next to their field, reworded for people, or above the form when they have none', () => {
    expect(
      formErrors(
        {
          code: 'validation_failed',
          message: 'Champs invalides : reason.',
          fields: { reason: 'teletravail, applications ou autres attendu' },
        },
        { reason: 'Veuillez choisir un motif.' },
      ),
    ).toEqual({ fields: { reason: 'Veuillez choisir un motif.' }, general: null });
    expect(
      formErrors({ code: 'wrong_charter_code', message: 'Le code saisi ne correspond pas.' }),
    ).toEqual({ fields: { code: 'Le code saisi ne correspond pas.' }, general: null });
    expect(formErrors({ code: 'renewal_closed', message: 'Cette demande est close.' })).toEqual({
      fields: {},
      general: 'Cette demande est close.',
    });
  });
});

describe('the page after sign-in', () => {
  it.each([
    ['/validations/abc', '/validations/abc'],
    ['https://ailleurs.example/', '/'],
    ['//ailleurs.example/', '/'],
    ['/\\ailleurs.example/', '/'],
    [undefined, '/'],
  ])('for %s is %s', (asked, used) => {
    expect(safeReturn(asked)).toBe(used);
  });
});
