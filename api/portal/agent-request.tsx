import type { Hono, MiddlewareHandler } from 'hono';
import { cancellable } from '../../workflows/steps.js';
import { type ActionProps, type Charter, NextAction, type Slot } from './agent-actions.js';
import { limitsOf } from './agent-renew.js';
import { type FormErrors, noErrors } from './client.js';
import { Csrf, chosenFiles, field } from './forms.js';
import { keyTypeLabels, statusTexts } from './labels.js';
import {
  errorPage,
  redirectWithNotice,
  render,
  requestInPath,
  type Status,
  stepSubmitter,
} from './layout.js';
import { Documents, Progress, type RenewalView, StatusBadge, Summary } from './parts.js';
import type { PortalContext, PortalEnv } from './session.js';

/** The agent's request page and the forms of each step. */
export function registerRequestPages(portal: Hono<PortalEnv>, auth: MiddlewareHandler<PortalEnv>) {
  portal.get('/demandes/:id', auth, (c) => showRequest(c, noErrors, {}));

  portal.post('/demandes/:id/documents', auth, async (c) => {
    const form = new FormData();
    for (const file of chosenFiles(await c.req.parseBody({ all: true }))) {
      form.append('files', file);
    }
    return step(c, 'attachments', form, 'documents', {}, {});
  });

  portal.post('/demandes/:id/mobile', auth, async (c) => {
    const os = field(await c.req.parseBody(), 'os');
    return step(c, 'mobile-os', { os }, 'mobile', { os }, { os: 'Choisissez Android ou iOS.' });
  });

  // Development and tests: plays the enrollment email through the signed webhook (/dev).
  portal.post('/demandes/:id/courriel-demo', auth, async (c) => {
    const id = c.req.param('id');
    if (c.var.deps.config.NODE_ENV === 'production') return errorPage(c, 404, 'Page introuvable.');
    const r = await requestInPath(c);
    if (r instanceof Response) return r;
    const res = await c.var.api.post('/dev/inbound-email', {
      from: c.var.me.email,
      subject: `Installation de ma clef — ${r.reference}`,
    });
    if (!res.ok) return errorPage(c, res.status as Status, res.error.message);
    // The webhook signals the workflow; the page is shown once it has moved on (3 s at most).
    for (let waited = 0; waited < 3000; waited += 100) {
      const now = await c.var.api.get<RenewalView>(`/api/renewals/${id}`);
      if (!now.ok || now.data.status !== 'awaiting_enrollment_email') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return redirectWithNotice(c, `/demandes/${id}`, 'courriel');
  });

  portal.post('/demandes/:id/charte', auth, async (c) => {
    const body = await c.req.parseBody();
    const values = { code: field(body, 'code').trim(), acknowledged: field(body, 'acknowledged') };
    return step(
      c,
      'charter',
      { code: values.code, acknowledged: values.acknowledged === 'true' },
      'charte',
      values,
      {
        code: 'Saisissez le code imprimé en bas de la charte.',
        acknowledged: 'Cochez la case « J’ai pris connaissance de la charte ».',
      },
    );
  });

  portal.post('/demandes/:id/rendez-vous', auth, async (c) => {
    const slotId = field(await c.req.parseBody(), 'slotId');
    return step(
      c,
      'appointment',
      { slotId },
      'rendez-vous',
      { slotId },
      {
        slotId: 'Choisissez un créneau.',
      },
    );
  });

  portal.get('/demandes/:id/annuler', auth, async (c) => {
    const r = await requestInPath(c);
    if (r instanceof Response) return r;
    if (!cancellable.includes(r.status)) {
      return errorPage(c, 409, 'Cette demande ne peut plus être annulée.');
    }
    return render(c, {
      title: 'Annuler ma demande',
      section: 'clefs',
      children: (
        <>
          <h1>Annuler ma demande</h1>
          <p>
            {'Voulez-vous vraiment annuler votre demande de renouvellement de la clef '}
            {`${r.keySerial} ? `}
            Elle ne pourra pas être reprise : il faudra en faire une nouvelle.
          </p>
          <form method="post" action={`/demandes/${r.id}/annuler`}>
            <Csrf token={c.var.csrf} />
            <ul class="fr-btns-group fr-btns-group--inline-md">
              <li>
                <button type="submit" class="fr-btn">
                  Oui, annuler ma demande
                </button>
              </li>
              <li>
                <a class="fr-btn fr-btn--secondary" href={`/demandes/${r.id}`}>
                  Non, revenir à ma demande
                </a>
              </li>
            </ul>
          </form>
        </>
      ),
    });
  });

  portal.post('/demandes/:id/annuler', auth, (c) => step(c, 'cancel', {}, 'annulee', {}, {}));

  /** Documents, read through the API's download route with the viewer's own rights. */
  portal.get('/demandes/:id/documents/:attachmentId', auth, async (c) => {
    const { id, attachmentId } = c.req.param();
    const res = await c.var.api.send('GET', `/api/renewals/${id}/attachments/${attachmentId}`);
    if (!res.ok) {
      const json = (await res.json().catch(() => null)) as { error?: { message: string } } | null;
      return errorPage(c, res.status as Status, json?.error?.message ?? 'Document indisponible.');
    }
    const headers = new Headers();
    for (const name of ['content-type', 'content-disposition', 'content-length']) {
      const value = res.headers.get(name);
      if (value) headers.set(name, value);
    }
    headers.set('x-content-type-options', 'nosniff');
    headers.set('cache-control', 'private, no-store');
    return new Response(res.body, { status: 200, headers });
  });
}

/** Sends one step to the API; on refusal the page comes back with the message by the field. */
const step = stepSubmitter({
  next: (id) => `/demandes/${id}`,
  show: showRequest,
});

async function showRequest(
  c: PortalContext,
  errors: FormErrors,
  values: Record<string, string>,
  status: Status = 200,
) {
  const id = c.req.param('id') as string;
  const r = await requestInPath(c);
  if (r instanceof Response) return r;
  if (r.requester?.uid !== c.var.me.uid) {
    // Links in emails lead everyone here; approvers and operators have their own page.
    return c.redirect(c.var.me.isOperator ? `/dsi/demandes/${id}` : `/validations/${id}`, 303);
  }
  const props: ActionProps = {
    r,
    csrf: c.var.csrf,
    errors,
    values,
    mailbox: c.var.deps.config.OKEY_MAILBOX,
    agentEmail: c.var.me.email,
    simulateEmail: c.var.deps.config.NODE_ENV !== 'production',
    limits: limitsOf(c),
  };
  if (r.status === 'awaiting_charter') {
    const charter = await c.var.api.get<Charter>(`/api/renewals/${id}/charter`);
    if (charter.ok) props.charter = charter.data;
  }
  if (r.status === 'awaiting_appointment') {
    const slots = await c.var.api.get<{ slots: Slot[] }>('/api/appointments/slots');
    if (slots.ok) props.slots = slots.data.slots;
  }
  const failed = errors !== noErrors;
  return render(c, {
    title: `${failed ? 'Erreur — ' : ''}Demande de renouvellement de la clef ${r.keySerial}`,
    section: 'clefs',
    status,
    children: (
      <>
        <p>
          <a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/clefs">
            Mes clefs
          </a>
        </p>
        <h1>{`Renouvellement de ma clef ${keyTypeLabels[r.keyType].toLowerCase()}`}</h1>
        <StatusBadge status={r.status} />
        <p class="fr-text--lead fr-mt-2w">{statusTexts[r.status].sentence}</p>
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-12 fr-col-lg-7">
            <NextAction {...props} />
            <h2 class="fr-h4">Résumé de la demande</h2>
            <Summary r={r} forAgent />
            <h3 class="fr-h6">Justificatifs</h3>
            <Documents r={r} />
            {cancellable.includes(r.status) ? (
              <p class="fr-mt-4w">
                <a
                  class="fr-btn fr-btn--tertiary fr-icon-close-line fr-btn--icon-left"
                  href={`/demandes/${r.id}/annuler`}
                >
                  Annuler ma demande
                </a>
              </p>
            ) : null}
          </div>
          <div class="fr-col-12 fr-col-lg-5">
            <Progress r={r} />
          </div>
        </div>
      </>
    ),
  });
}
