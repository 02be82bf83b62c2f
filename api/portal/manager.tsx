import type { Hono, MiddlewareHandler } from 'hono';
import { Table } from './agent-keys.js';
import { type FormErrors, noErrors } from './client.js';
import { formatDateTime } from './format.js';
import { Csrf, FormAlert, field, TextInput } from './forms.js';
import { capacityLabels, keyTypeLabels, type Reason, reasonLabels } from './labels.js';
import { errorPage, render, requestInPath, type Status, stepSubmitter } from './layout.js';
import {
  actorNames,
  Documents,
  History,
  Progress,
  type RenewalView,
  StatusBadge,
  Summary,
} from './parts.js';
import type { PortalContext, PortalEnv } from './session.js';

interface Waiting {
  id: string;
  capacity: 'n1' | 'n2';
}

/** Managers: the requests waiting for their decision, and the decision page emails link to. */
export function registerManagerPages(portal: Hono<PortalEnv>, auth: MiddlewareHandler<PortalEnv>) {
  portal.get('/validations', auth, async (c) => {
    const waiting = await c.var.api.get<{ renewals: Waiting[] }>('/api/approvals');
    if (!waiting.ok) return errorPage(c, 500, waiting.error.message);
    const details = await Promise.all(
      waiting.data.renewals.map(async (w) => {
        const r = await c.var.api.get<RenewalView>(`/api/renewals/${w.id}`);
        return r.ok ? { ...r.data, capacity: w.capacity } : null;
      }),
    );
    const rows = details.filter((r) => r !== null);
    return render(c, {
      title: 'Demandes à valider',
      section: 'validations',
      children: (
        <>
          <h1>Demandes à valider</h1>
          {rows.length === 0 ? (
            <p>Aucune demande n’attend votre décision.</p>
          ) : (
            <Table caption="Demandes de renouvellement en attente de votre décision">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Clef</th>
                  <th scope="col">Motif</th>
                  <th scope="col">Justificatifs</th>
                  <th scope="col">En tant que</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td>
                      {r.requester?.name ?? ''}
                      <br />
                      <span class="fr-text--sm">{r.requester?.title ?? ''}</span>
                    </td>
                    <td>{`${r.keySerial} (${keyTypeLabels[r.keyType].toLowerCase()})`}</td>
                    <td>{reasonLabels[r.reason as Reason]}</td>
                    <td>{String(r.attachments.length)}</td>
                    <td>{capacityLabels[r.capacity]}</td>
                    <td>
                      <a
                        class="fr-btn fr-btn--sm"
                        href={`/validations/${r.id}`}
                        aria-label={`Examiner la demande de ${r.requester?.name ?? ''}`}
                      >
                        Examiner
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </>
      ),
    });
  });

  portal.get('/validations/:id', auth, (c) => showDecision(c, noErrors, {}));

  portal.post('/validations/:id/approuver', auth, async (c) => {
    const comment = field(await c.req.parseBody(), 'comment').trim();
    return decide(c, 'approve', comment ? { comment } : {}, 'approuvee', { comment });
  });

  portal.post('/validations/:id/refuser', auth, async (c) => {
    const reason = field(await c.req.parseBody(), 'reason').trim();
    return decide(c, 'reject', { reason }, 'refusee', { reason });
  });
}

const decide = stepSubmitter({
  next: () => '/validations',
  show: showDecision,
  wording: {
    reason: 'Indiquez le motif du refus : l’agent le recevra par courriel.',
    comment: 'Le commentaire ne doit pas dépasser 2 000 caractères.',
  },
});

async function showDecision(
  c: PortalContext,
  errors: FormErrors,
  values: Record<string, string>,
  status: Status = 200,
) {
  const id = c.req.param('id') as string;
  const r = await requestInPath(c);
  if (r instanceof Response) return r;
  const me = c.var.me.uid;
  const capacity = r.n1?.uid === me ? 'n1' : r.n2?.uid === me ? 'n2' : null;
  if (!capacity) {
    if (c.var.me.isOperator) return c.redirect(`/dsi/demandes/${id}`, 303);
    if (r.requester?.uid === me) return c.redirect(`/demandes/${id}`, 303);
    return errorPage(c, 403, 'Seuls le N+1 et le N+2 de l’agent peuvent décider de cette demande.');
  }
  const open = r.status === 'awaiting_approval';
  const other = capacity === 'n1' ? r.n2 : r.n1;
  const agent = r.requester?.name ?? 'l’agent';
  const decided = r.decision?.outcome === 'approved' ? 'validée' : 'refusée';
  return render(c, {
    title: `${errors === noErrors ? '' : 'Erreur — '}Demande de ${r.requester?.name ?? 'l’agent'}`,
    section: 'validations',
    status,
    children: (
      <>
        <p>
          <a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/validations">
            Demandes à valider
          </a>
        </p>
        <h1>{`Demande de renouvellement de ${r.requester?.name ?? 'l’agent'}`}</h1>
        <StatusBadge status={r.status} />
        <div class="fr-grid-row fr-grid-row--gutters fr-mt-2w">
          <div class="fr-col-12 fr-col-lg-7">
            {open ? (
              <p>{roleSentence(capacity, agent, other?.name, r.validator?.uid === c.var.me.uid)}</p>
            ) : (
              <div class="fr-alert fr-alert--info fr-mb-3w">
                <p>
                  {r.decision
                    ? `Cette demande a déjà été ${decided} le ${formatDateTime(r.decision.at)}.`
                    : 'Cette demande n’attend pas de décision.'}
                </p>
              </div>
            )}
            <h2 class="fr-h4">Résumé de la demande</h2>
            <Summary r={r} forAgent={false} />
            <h2 class="fr-h4">Justificatifs</h2>
            <Documents r={r} />
            {open ? (
              <DecisionForms r={r} csrf={c.var.csrf} errors={errors} values={values} />
            ) : null}
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

/** Tells the approver in which capacity they decide, and who else may. */
function roleSentence(
  capacity: 'n1' | 'n2',
  agent: string,
  other: string | undefined,
  chosen: boolean,
) {
  if (capacity === 'n2' && chosen) {
    return `Vous êtes N+2 de ${agent}, qui vous a choisi(e) pour valider sa demande.`;
  }
  if (capacity === 'n1') {
    const backup = other ? ` En votre absence, ${other} (N+2) peut aussi décider.` : '';
    return `Vous êtes N+1 de ${agent}.${backup}`;
  }
  const absent = other ? `son N+1, ${other}` : 'son N+1';
  return `Vous êtes N+2 de ${agent} : vous pouvez décider en l’absence de ${absent}.`;
}

function DecisionForms(props: {
  r: RenewalView;
  csrf: string;
  errors: FormErrors;
  values: Record<string, string>;
}) {
  const { r, errors, values } = props;
  return (
    <section aria-labelledby="decision" class="fr-mt-4w">
      <h2 id="decision" class="fr-h4">
        Votre décision
      </h2>
      <FormAlert errors={errors} />
      <form method="post" action={`/validations/${r.id}/approuver`} class="fr-mb-4w">
        <Csrf token={props.csrf} />
        <TextInput
          name="comment"
          id="comment"
          label="Commentaire (facultatif)"
          value={values.comment}
          error={errors.fields.comment}
          textarea
          maxlength={2000}
        />
        <button type="submit" class="fr-btn fr-icon-check-line fr-btn--icon-left">
          Valider la demande
        </button>
      </form>
      <form method="post" action={`/validations/${r.id}/refuser`}>
        <Csrf token={props.csrf} />
        <TextInput
          name="reason"
          id="reason"
          label="Motif du refus"
          hint="Obligatoire pour refuser : l’agent le recevra par courriel."
          value={values.reason}
          error={errors.fields.reason}
          textarea
          maxlength={2000}
        />
        <button type="submit" class="fr-btn fr-btn--secondary fr-icon-close-line fr-btn--icon-left">
          Refuser la demande
        </button>
      </form>
    </section>
  );
}
