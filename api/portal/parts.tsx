import { inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { people } from '../../db/schema.js';
import type { renewalView } from '../views.js';
import {
  formatCalendarDay,
  formatDateTime,
  formatLongDay,
  formatTime,
  formatWaiting,
} from './format.js';
import {
  automaticReasonLabels,
  capacityLabels,
  eventLabels,
  keyTypeLabels,
  mobileOsLabels,
  type Reason,
  reasonLabels,
  statusTexts,
  stepLabels,
  stepStateLabels,
} from './labels.js';

/** A renewal as `GET /api/renewals/:id` returns it. */
export type RenewalView = Awaited<ReturnType<typeof renewalView>>;
type Person = NonNullable<RenewalView['requester']>;

const toneClass = {
  success: 'fr-badge--success',
  error: 'fr-badge--error',
  info: 'fr-badge--info',
  warning: 'fr-badge--warning',
  neutral: '',
};

export function StatusBadge(props: { status: RenewalView['status'] }) {
  const t = statusTexts[props.status];
  return <p class={`fr-badge ${toneClass[t.tone]}`}>{t.badge}</p>;
}

/** The name of whoever acted, from the people the renewal already names. */
export function personByUid(r: RenewalView, uid: string | null | undefined): Person | null {
  if (!uid) return null;
  return [r.requester, r.validator, r.n1, r.n2].find((p) => p?.uid === uid) ?? null;
}

export const documentPath = (renewalId: string, attachmentId: string) =>
  `/demandes/${renewalId}/documents/${attachmentId}`;

const sizeLabel = (bytes: number) =>
  bytes >= 1_000_000
    ? `${(bytes / 1_000_000).toFixed(1).replace('.', ',')} Mo`
    : `${Math.max(1, Math.round(bytes / 1000))} ko`;

const formatOf = (contentType: string) => contentType.replace(/^.*\//, '').toUpperCase();

export function Documents(props: { r: RenewalView }) {
  const { r } = props;
  if (r.attachments.length === 0) return <p>Aucun justificatif pour le moment.</p>;
  return (
    <ul>
      {r.attachments.map((a) => (
        <li>
          <a href={documentPath(r.id, a.id)} download>
            {a.filename}
          </a>{' '}
          <span class="fr-text--sm">{`(${formatOf(a.contentType)}, ${sizeLabel(a.size)})`}</span>
        </li>
      ))}
    </ul>
  );
}

/** The request at a glance, worded like the procedure's "Résumé de la demande". */
export function Summary(props: { r: RenewalView; forAgent: boolean }) {
  const { r } = props;
  const today = new Date().toISOString().slice(0, 10);
  const verb = r.keyExpiresOn && r.keyExpiresOn < today ? 'a expiré' : 'expire';
  const expiry = r.keyExpiresOn
    ? `${r.keySerial} qui ${verb} le ${formatCalendarDay(r.keyExpiresOn)}`
    : r.keySerial;
  return (
    <dl class="okey-summary">
      {props.forAgent ? null : (
        <>
          <dt>Agent</dt>
          <dd>{r.requester ? `${r.requester.name}, ${r.requester.title}` : 'inconnu'}</dd>
        </>
      )}
      <dt>Référence</dt>
      <dd>{r.reference}</dd>
      <dt>Demande</dt>
      <dd>{`Créée le ${formatDateTime(r.createdAt)}`}</dd>
      <dt>Type</dt>
      <dd>{keyTypeLabels[r.keyType]}</dd>
      <dt>Renouvellement de la clef</dt>
      <dd>{expiry}</dd>
      <dt>Motif</dt>
      <dd>{reasonLabels[r.reason as Reason]}</dd>
      {r.comment ? (
        <>
          <dt>Précisions</dt>
          <dd>{r.comment}</dd>
        </>
      ) : null}
      <dt>Validation</dt>
      <dd>
        <Validation r={r} />
      </dd>
      {r.mobileOs ? (
        <>
          <dt>Mobile</dt>
          <dd>{mobileOsLabels[r.mobileOs as keyof typeof mobileOsLabels]}</dd>
        </>
      ) : null}
      {r.newKeySerial ? (
        <>
          <dt>Nouvelle clef</dt>
          <dd>{r.newKeySerial}</dd>
        </>
      ) : null}
      {r.appointment ? (
        <>
          <dt>Rendez-vous de retrait</dt>
          <dd>{`Le ${formatDateTime(r.appointment.startsAt)}, ${r.appointment.location}`}</dd>
        </>
      ) : null}
    </dl>
  );
}

function Validation(props: { r: RenewalView }) {
  const { r } = props;
  const d = r.decision;
  if (d?.capacity === 'automatic') {
    const why = automaticReasonLabels[d.automaticReason ?? ''];
    return <>{`Validée automatiquement${why ? ` (${why})` : ''}`}</>;
  }
  if (d) {
    const by = personByUid(r, d.by);
    const verb = d.outcome === 'approved' ? 'Validée' : 'Refusée';
    const who =
      d.capacity === 'dsi'
        ? ' par la DSI'
        : by
          ? ` par ${by.name} (${capacityLabels[d.capacity]})`
          : '';
    const note = d.outcome === 'approved' && d.comment ? ` — « ${d.comment} »` : '';
    return <>{`${verb}${who} le ${formatDateTime(d.at)}${note}`}</>;
  }
  if (!r.validator) return <>Aucune personne chargée de la validation</>;
  return <>{`À valider par ${r.validator.name}, ${r.validator.title}`}</>;
}

/** Where the request stands: the design system's stepper, then every step with its state. */
export function Progress(props: { r: RenewalView }) {
  // Every state shown comes from `steps` alone, as the API computed them: the status is not
  // consulted, so the list cannot say something the steps do not.
  const { steps } = props.r;
  const currentIndex = steps.findIndex((s) => s.state === 'current');
  const doneCount = steps.filter((s) => s.state === 'done').length;
  const showStepper = !steps.some((s) => s.state === 'stopped');
  const position = currentIndex >= 0 ? currentIndex + 1 : doneCount;
  const current = currentIndex >= 0 ? steps[currentIndex] : undefined;
  // The PIN step is done from the start: the next step is the next one still to do.
  const next =
    currentIndex >= 0 ? steps.slice(currentIndex + 1).find((s) => s.state !== 'done') : undefined;
  return (
    <section aria-labelledby="avancement">
      <h2 id="avancement" class="fr-h4">
        Avancement
      </h2>
      {showStepper ? (
        <div class="fr-stepper">
          <h3 class="fr-stepper__title">
            {current ? stepLabels[current.step] : 'Toutes les étapes sont terminées'}
            <span class="fr-stepper__state">{`Étape ${position} sur ${steps.length}`}</span>
          </h3>
          <div
            class="fr-stepper__steps"
            data-fr-current-step={String(position)}
            data-fr-steps={String(steps.length)}
          />
          {next ? (
            <p class="fr-stepper__details">
              <span class="fr-text--bold">Étape suivante :</span> {stepLabels[next.step]}
            </p>
          ) : null}
        </div>
      ) : null}
      <ol class="okey-steps">
        {steps.map((step) => {
          // A stopped request never reaches the new key, whose PIN step is otherwise done early.
          const s =
            step.step === 'pin' && !showStepper ? { ...step, state: 'stopped' as const } : step;
          return (
            <li class={`okey-step--${s.state}`}>
              <span class={`okey-step__icon ${stepIcon[s.state]}`} aria-hidden="true" />
              <span>
                <span class="okey-step__name">{stepLabels[s.step]}</span>
                <span class="okey-step__when">
                  {s.at && s.step !== 'pin'
                    ? `${stepStateLabels[s.state]} le ${formatDateTime(s.at)}`
                    : stepStateLabels[s.state]}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

const stepIcon = {
  done: 'fr-icon-checkbox-circle-fill',
  current: 'fr-icon-arrow-right-circle-fill',
  pending: 'fr-icon-time-line',
  stopped: 'fr-icon-close-circle-line',
};

/** The names of everyone who acted on the renewal, operators included, by directory uid. */
export async function actorNames(db: Database, r: RenewalView): Promise<Map<string, string>> {
  const uids = [...new Set(r.events.map((e) => e.by).filter((u): u is string => !!u))];
  if (uids.length === 0) return new Map();
  const rows = await db
    .select({ uid: people.uid, firstName: people.firstName, lastName: people.lastName })
    .from(people)
    .where(inArray(people.uid, uids));
  return new Map(rows.map((p) => [p.uid, `${p.firstName} ${p.lastName}`]));
}

/** Who did what and when, for managers and operators. */
export function History(props: { r: RenewalView; names: Map<string, string> }) {
  const { r, names } = props;
  return (
    <section aria-labelledby="historique" class="fr-mt-4w">
      <h2 id="historique" class="fr-h4">
        Historique
      </h2>
      <ul>
        {r.events.map((e) => {
          const by = e.by ? names.get(e.by) : undefined;
          return (
            <li>
              {`${formatDateTime(e.at)} — ${eventLabels[e.type] ?? e.type}${by ? ` (${by})` : ''}`}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export const waitingSince = (since: string, now = Date.now()) =>
  formatWaiting(now - new Date(since).getTime());

export const slotLabel = (startsAt: string) =>
  `${formatLongDay(startsAt)} à ${formatTime(startsAt)}`;
