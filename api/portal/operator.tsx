import type { Hono, MiddlewareHandler } from 'hono';
import { isTerminal, type RenewalStatus, statuses } from '../../workflows/steps.js';
import { Table } from './agent-keys.js';
import { type FormErrors, formErrors, noErrors } from './client.js';
import { formatDateTime, formatTime, reunionDay } from './format.js';
import { Csrf, FormAlert, field, TextInput } from './forms.js';
import { keyTypeLabels, statusTexts } from './labels.js';
import { errorPage, redirectWithNotice, render } from './layout.js';
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

type Status = NonNullable<Parameters<typeof render>[1]['status']>;

interface InboundEmail {
  id: string;
  from?: string;
  fromAddress?: string;
  subject: string;
  receivedAt: string;
}

/** The DSI's queue, its appointments and unmatched emails, and each request's operator page. */
export function registerOperatorPages(portal: Hono<PortalEnv>, auth: MiddlewareHandler<PortalEnv>) {
  portal.get('/dsi', auth, async (c) => {
    if (!c.var.me.isOperator) return notOperator(c);
    const all = await c.var.api.get<{ renewals: { id: string; status: RenewalStatus }[] }>(
      '/api/ops/renewals',
    );
    if (!all.ok) return errorPage(c, all.status as Status, all.error.message);
    const open = all.data.renewals.filter((r) => !isTerminal(r.status));
    const details = (
      await Promise.all(open.map((r) => c.var.api.get<RenewalView>(`/api/renewals/${r.id}`)))
    ).flatMap((r) => (r.ok ? [r.data] : []));
    const emails = await c.var.api.get<{ emails?: InboundEmail[] }>(
      '/api/ops/inbound-emails?status=unmatched',
    );
    const today = reunionDay(new Date());
    const appointments = details
      .filter((r) => r.status === 'awaiting_pickup')
      .sort((a, b) => (a.appointment?.startsAt ?? '').localeCompare(b.appointment?.startsAt ?? ''));
    const todays = appointments.filter(
      (r) => r.appointment && reunionDay(r.appointment.startsAt) === today,
    );
    const later = appointments.filter((r) => !todays.includes(r));
    const byWait = (a: RenewalView, b: RenewalView) => a.stepSince.localeCompare(b.stepSince);
    const toAssign = details.filter((r) => r.status === 'awaiting_assignment').sort(byWait);
    const elsewhere = details
      .filter((r) => r.status !== 'awaiting_assignment' && r.status !== 'awaiting_pickup')
      .sort((a, b) => statuses.indexOf(a.status) - statuses.indexOf(b.status) || byWait(a, b));
    const closed = all.data.renewals.length - open.length;
    const link = temporal(c);
    return render(c, {
      title: 'File de la DSI',
      section: 'dsi',
      children: (
        <>
          <h1>File de la DSI</h1>
          <p>{`Demandes en cours : ${details.length}. Demandes closes (terminées, refusées ou annulées) : ${closed}.`}</p>
          <h2 class="fr-mt-4w">{`Clefs à attribuer (${toAssign.length})`}</h2>
          {toAssign.length === 0 ? (
            <p>Aucune clef à attribuer : toutes les chartes signées ont reçu leur clef.</p>
          ) : (
            <Queue rows={toAssign} caption="Demandes en attente d’attribution" temporal={link} />
          )}
          <h2 class="fr-mt-6w">Rendez-vous du jour</h2>
          <Appointments rows={todays} empty="Aucun rendez-vous de retrait aujourd’hui." />
          {later.length > 0 ? (
            <>
              <h3 class="fr-h5">Rendez-vous à venir</h3>
              <Appointments rows={later} empty="" withDay />
            </>
          ) : null}
          <h2 class="fr-mt-6w">{`Demandes aux autres étapes (${elsewhere.length})`}</h2>
          {elsewhere.length === 0 ? (
            <p>Aucune autre demande en cours.</p>
          ) : (
            <Queue
              rows={elsewhere}
              caption="Demandes en cours chez l’agent ou le valideur"
              temporal={link}
              withStep
            />
          )}
          <h2 class="fr-mt-6w">Courriels d’installation non rattachés</h2>
          <UnmatchedEmails emails={emails.ok ? (emails.data.emails ?? []) : null} />
        </>
      ),
    });
  });

  portal.get('/dsi/demandes/:id', auth, (c) => showOperatorRequest(c, noErrors, {}));

  portal.post('/dsi/demandes/:id/attribuer', auth, async (c) => {
    const newKeySerial = field(await c.req.parseBody(), 'newKeySerial').trim();
    return operate(c, 'assign', { newKeySerial }, 'attribuee', { newKeySerial });
  });

  portal.post('/dsi/demandes/:id/remise', auth, (c) => operate(c, 'handover', {}, 'remise', {}));
}

const notOperator = (c: PortalContext) =>
  errorPage(c, 403, 'Cette page est réservée aux opérateurs de sécurité de la DSI.');

/** Builds the link to a renewal's workflow in the Temporal Web UI. */
function temporal(c: PortalContext) {
  const { TEMPORAL_UI_URL, TEMPORAL_NAMESPACE } = c.var.deps.config;
  return (w: RenewalView['workflow']) =>
    `${TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(w.workflowId)}${w.runId ? `/${encodeURIComponent(w.runId)}` : ''}`;
}

function TemporalLink(props: { href: string; serial: string }) {
  return (
    <a
      href={props.href}
      target="_blank"
      rel="noopener"
      title={`Workflow de la clef ${props.serial} dans Temporal — nouvelle fenêtre`}
    >
      Workflow
    </a>
  );
}

function Queue(props: {
  rows: RenewalView[];
  caption: string;
  temporal: (w: RenewalView['workflow']) => string;
  withStep?: boolean;
}) {
  const now = Date.now();
  return (
    <Table caption={props.caption}>
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Clef</th>
          {props.withStep ? <th scope="col">Étape</th> : null}
          <th scope="col">En attente depuis</th>
          <th scope="col">Demande</th>
          <th scope="col">Temporal</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr>
            <td>{r.requester?.name ?? ''}</td>
            <td>{`${r.keySerial} (${keyTypeLabels[r.keyType].toLowerCase()})`}</td>
            {props.withStep ? (
              <td>
                <StatusBadge status={r.status} />
              </td>
            ) : null}
            <td>{waitingSince(r.stepSince, now)}</td>
            <td>
              <a
                href={`/dsi/demandes/${r.id}`}
                aria-label={`Ouvrir la demande de ${r.requester?.name ?? ''}`}
              >
                Ouvrir
              </a>
            </td>
            <td>
              <TemporalLink href={props.temporal(r.workflow)} serial={r.keySerial} />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function Appointments(props: { rows: RenewalView[]; empty: string; withDay?: boolean }) {
  if (props.rows.length === 0) return <p>{props.empty}</p>;
  return (
    <Table caption={props.withDay ? 'Rendez-vous à venir' : 'Rendez-vous du jour'}>
      <thead>
        <tr>
          <th scope="col">{props.withDay ? 'Date' : 'Heure'}</th>
          <th scope="col">Agent</th>
          <th scope="col">Nouvelle clef</th>
          <th scope="col">Remise</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => {
          const at = r.appointment?.startsAt ?? r.stepSince;
          return (
            <tr>
              <td>{props.withDay ? formatDateTime(at) : formatTime(at)}</td>
              <td>{r.requester?.name ?? ''}</td>
              <td>{r.newKeySerial ?? ''}</td>
              <td>
                <a
                  href={`/dsi/demandes/${r.id}`}
                  aria-label={`Enregistrer la remise de la clef de ${r.requester?.name ?? ''}`}
                >
                  Enregistrer la remise
                </a>
              </td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}

function UnmatchedEmails(props: { emails: InboundEmail[] | null }) {
  if (props.emails === null) {
    return (
      <p>
        La liste des courriels non rattachés n’est pas disponible pour le moment. Les courriels
        d’installation reçus d’une adresse inconnue restent dans la boîte OKEY.
      </p>
    );
  }
  if (props.emails.length === 0) return <p>Aucun courriel en attente de rattachement.</p>;
  return (
    <Table caption="Courriels reçus par la boîte OKEY sans demande correspondante">
      <thead>
        <tr>
          <th scope="col">Reçu le</th>
          <th scope="col">Expéditeur</th>
          <th scope="col">Objet</th>
        </tr>
      </thead>
      <tbody>
        {props.emails.map((e) => (
          <tr>
            <td>{formatDateTime(e.receivedAt)}</td>
            <td>{e.from ?? e.fromAddress ?? ''}</td>
            <td>{e.subject}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

async function operate(
  c: PortalContext,
  action: 'assign' | 'handover',
  body: Record<string, string>,
  ok: string,
  values: Record<string, string>,
) {
  const id = c.req.param('id') as string;
  const res = await c.var.api.post(`/api/renewals/${id}/${action}`, body);
  if (res.ok) return redirectWithNotice(c, `/dsi/demandes/${id}`, ok);
  const errors = formErrors(res.error, {
    newKeySerial: 'Saisissez le numéro de la nouvelle clef : 12 chiffres.',
  });
  return showOperatorRequest(c, errors, values, res.status as Status);
}

async function showOperatorRequest(
  c: PortalContext,
  errors: FormErrors,
  values: Record<string, string>,
  status: Status = 200,
) {
  if (!c.var.me.isOperator) return notOperator(c);
  const id = c.req.param('id') as string;
  const res = await c.var.api.get<RenewalView>(`/api/renewals/${id}`);
  if (!res.ok) return errorPage(c, res.status as Status, res.error.message);
  const r = res.data;
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
          {`${statusTexts[r.status].sentence}, depuis ${waitingSince(r.stepSince)}. `}
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
        <p>{`L’agent a signé la charte. Saisissez le numéro de la clef ${keyTypeLabels[r.keyType].toLowerCase()} qui remplace la clef ${r.keySerial}.`}</p>
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
            ? `Rendez-vous le ${formatDateTime(r.appointment.startsAt)}, ${r.appointment.location}. `
            : ''}
          {`Remettez la clef ${r.newKeySerial ?? ''} à l’agent après avoir vérifié son identité et repris l’ancienne clef ${r.keySerial}.`}
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
