import type { Hono, MiddlewareHandler } from 'hono';
import { isTerminal, type RenewalStatus, statuses } from '../../workflows/steps.js';
import { Table } from './agent-keys.js';
import { formatDateTime, formatTime, reunionDay } from './format.js';
import { Csrf, field } from './forms.js';
import { keyTypeLabels } from './labels.js';
import { errorPage, redirectWithNotice, render } from './layout.js';
import { notOperator, TemporalLink, temporal } from './operator.js';
import { type RenewalView, StatusBadge, waitingSince } from './parts.js';
import type { PortalEnv } from './session.js';

type Status = NonNullable<Parameters<typeof render>[1]['status']>;

/** A received message okey could not place, as `GET /api/ops/inbound-emails` lists it. */
interface InboundEmail {
  id: string;
  from: string;
  subject: string;
  receivedAt: string;
  status: string;
  candidates: { id: string; reference: string; keySerial: string }[];
}

/** The DSI's queue: keys to assign, appointments, the other steps, unmatched emails. */
export function registerOperatorQueue(portal: Hono<PortalEnv>, auth: MiddlewareHandler<PortalEnv>) {
  portal.post('/dsi/courriels/:id/rattacher', auth, async (c) => {
    const renewalId = field(await c.req.parseBody(), 'renewalId');
    const res = await c.var.api.post(
      `/api/ops/inbound-emails/${encodeURIComponent(c.req.param('id'))}/attach`,
      { renewalId },
    );
    if (!res.ok) return errorPage(c, res.status as Status, res.error.message);
    return redirectWithNotice(c, '/dsi', 'rattache');
  });

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
    // Unmatched and ambiguous messages: what waits for an operator.
    const emails = await c.var.api.get<{ inboundEmails: InboundEmail[] }>(
      '/api/ops/inbound-emails',
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
          <p>
            {`Demandes en cours : ${details.length}. `}
            {`Demandes closes (terminées, refusées ou annulées) : ${closed}.`}
          </p>
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
          <UnmatchedEmails
            emails={emails.ok ? emails.data.inboundEmails : null}
            csrf={c.var.csrf}
          />
        </>
      ),
    });
  });
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

function UnmatchedEmails(props: { emails: InboundEmail[] | null; csrf: string }) {
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
          <th scope="col">Rattacher à</th>
        </tr>
      </thead>
      <tbody>
        {props.emails.map((e) => (
          <tr>
            <td>{formatDateTime(e.receivedAt)}</td>
            <td>{e.from}</td>
            <td>{e.subject}</td>
            <td>
              {e.candidates.length === 0 ? (
                'Aucune demande de cet expéditeur en attente de son courriel'
              ) : (
                <form method="post" action={`/dsi/courriels/${encodeURIComponent(e.id)}/rattacher`}>
                  <Csrf token={props.csrf} />
                  <label class="fr-label" for={`renewal-${e.id}`}>
                    Demande
                  </label>
                  <select class="fr-select" id={`renewal-${e.id}`} name="renewalId">
                    {e.candidates.map((r) => (
                      <option value={r.id}>{`${r.reference} — clef ${r.keySerial}`}</option>
                    ))}
                  </select>
                  <button type="submit" class="fr-btn fr-btn--sm fr-mt-1w">
                    Rattacher
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
