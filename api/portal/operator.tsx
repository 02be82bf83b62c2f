import type { Hono, MiddlewareHandler } from 'hono';
import { statusLabels } from '../../workflows/steps.js';
import { type FormErrors, noErrors } from './client.js';
import { formatDateTime } from './format.js';
import { Csrf, FormAlert, field, TextInput } from './forms.js';
import { keyTypeLabels } from './labels.js';
import { errorPage, render, requestInPath, type Status, stepSubmitter } from './layout.js';
import {
  actorNames,
  Documents,
  History,
  Progress,
  type RenewalView,
  StatusBadge,
  Summary,
  waitingSince,
} from './parts.js';
import type { PortalContext, PortalEnv } from './session.js';

/** An operator's page for one request: assignment of the new key, handover. */
export function registerOperatorPages(portal: Hono<PortalEnv>, auth: MiddlewareHandler<PortalEnv>) {
  portal.get('/dsi/demandes/:id', auth, (c) => showOperatorRequest(c, noErrors, {}));

  portal.post('/dsi/demandes/:id/attribuer', auth, async (c) => {
    const newKeySerial = field(await c.req.parseBody(), 'newKeySerial').trim();
    return operate(c, 'assign', { newKeySerial }, 'attribuee', { newKeySerial });
  });

  portal.post('/dsi/demandes/:id/remise', auth, (c) => operate(c, 'handover', {}, 'remise', {}));
}

export const notOperator = (c: PortalContext) =>
  errorPage(c, 403, 'Cette page est réservée aux opérateurs de sécurité de la DSI.');

/** Builds the link to a renewal's workflow in the Temporal Web UI. */
export function temporal(c: PortalContext) {
  const { TEMPORAL_UI_URL, TEMPORAL_NAMESPACE } = c.var.deps.config;
  const namespace = encodeURIComponent(TEMPORAL_NAMESPACE);
  const base = `${TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${namespace}`;
  return (w: RenewalView['workflow']) => {
    const run = w.runId ? `/${encodeURIComponent(w.runId)}` : '';
    return `${base}/workflows/${encodeURIComponent(w.workflowId)}${run}`;
  };
}

export function TemporalLink(props: { href: string; serial: string }) {
  return (
    <a
      href={props.href}
      target="_blank"
      rel="noopener"
      title={`Suivi de la clef ${props.serial} dans Temporal — nouvelle fenêtre`}
    >
      Suivi Temporal
    </a>
  );
}

const operate = stepSubmitter({
  next: (id) => `/dsi/demandes/${id}`,
  show: showOperatorRequest,
  wording: { newKeySerial: 'Saisissez le numéro de la nouvelle clef : 12 chiffres.' },
});

async function showOperatorRequest(
  c: PortalContext,
  errors: FormErrors,
  values: Record<string, string>,
  status: Status = 200,
) {
  if (!c.var.me.isOperator) return notOperator(c);
  const r = await requestInPath(c);
  if (r instanceof Response) return r;
  return render(c, {
    title: `${errors === noErrors ? '' : 'Erreur — '}Demande de ${r.requester?.name ?? 'l’agent'}`,
    section: 'dsi',
    status,
    children: (
      <>
        <p>
          <a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/dsi">
            File de la DSI
          </a>
        </p>
        <h1>{`Demande de ${r.requester?.name ?? 'l’agent'} — clef ${r.keySerial}`}</h1>
        <StatusBadge status={r.status} />
        <p class="fr-mt-2w">
          {`${statusLabels[r.status]}, depuis ${waitingSince(r.stepSince)}. `}
          <TemporalLink href={temporal(c)(r.workflow)} serial={r.keySerial} />
        </p>
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-12 fr-col-lg-7">
            <OperatorAction r={r} csrf={c.var.csrf} errors={errors} values={values} />
            <h2 class="fr-h4">Résumé de la demande</h2>
            <Summary r={r} forAgent={false} />
            <h2 class="fr-h4">Justificatifs</h2>
            <Documents r={r} />
          </div>
          <div class="fr-col-12 fr-col-lg-5">
            <Progress r={r} />
            <History r={r} names={await actorNames(c.var.deps.db, r)} />
          </div>
        </div>
      </>
    ),
  });
}

function OperatorAction(props: {
  r: RenewalView;
  csrf: string;
  errors: FormErrors;
  values: Record<string, string>;
}) {
  const { r, errors } = props;
  if (r.status === 'awaiting_assignment') {
    return (
      <section class="okey-panel" aria-labelledby="a-faire">
        <h2 id="a-faire" class="fr-h4">
          Attribuer la nouvelle clef
        </h2>
        <p>
          {'L’agent a signé la charte. Saisissez le numéro de la clef '}
          {`${keyTypeLabels[r.keyType].toLowerCase()} qui remplace la clef ${r.keySerial}.`}
        </p>
        <FormAlert errors={errors} />
        <form method="post" action={`/dsi/demandes/${r.id}/attribuer`}>
          <Csrf token={props.csrf} />
          <TextInput
            name="newKeySerial"
            label="Numéro de la nouvelle clef"
            hint="12 chiffres, par exemple 000508907777"
            value={props.values.newKeySerial}
            error={errors.fields.newKeySerial}
            inputmode="numeric"
          />
          <button type="submit" class="fr-btn">
            Attribuer la clef
          </button>
        </form>
      </section>
    );
  }
  if (r.status === 'awaiting_pickup') {
    return (
      <section class="okey-panel" aria-labelledby="a-faire">
        <h2 id="a-faire" class="fr-h4">
          Remettre la clef
        </h2>
        <p>
          {r.appointment
            ? `Rendez-vous le ${formatDateTime(r.appointment.startsAt)}, ` +
              `${r.appointment.location}. `
            : ''}
          {`Remettez la clef ${r.newKeySerial ?? ''} à l’agent après avoir vérifié son identité `}
          {`et repris l’ancienne clef ${r.keySerial}.`}
        </p>
        <FormAlert errors={errors} />
        <form method="post" action={`/dsi/demandes/${r.id}/remise`}>
          <Csrf token={props.csrf} />
          <button type="submit" class="fr-btn">
            Enregistrer la remise de la clef
          </button>
        </form>
      </section>
    );
  }
  return <FormAlert errors={errors} />;
}
