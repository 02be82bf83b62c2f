import type { Hono, MiddlewareHandler } from 'hono';
import { isTerminal, type RenewalStatus } from '../../workflows/steps.js';
import { formatCalendarDay, formatDateTime } from './format.js';
import { keyTypeLabels } from './labels.js';
import { errorPage, render } from './layout.js';
import { StatusBadge } from './parts.js';
import type { PortalEnv } from './session.js';

export interface KeyRow {
  serial: string;
  type: 'software' | 'hardware';
  expiresOn: string;
  expired: boolean;
  state: 'active' | 'replaced';
}

export interface RenewalSummary {
  id: string;
  status: RenewalStatus;
  keyType: 'software' | 'hardware';
  reason: string;
  keySerial: string;
  createdAt: string;
  stepSince: string;
}

/** "Mes clefs": the agent's keys, the request in progress for each, and past requests. */
export function registerKeyPages(portal: Hono<PortalEnv>, auth: MiddlewareHandler<PortalEnv>) {
  // Where sign-in lands without a return path: where the person's work is. Managers without a
  // key of their own (an N+2, for instance) would otherwise land on an empty "Mes clefs".
  portal.get('/', auth, async (c) => {
    if (c.var.me.isOperator) return c.redirect('/dsi', 303);
    const keys = await c.var.api.get<{ keys: KeyRow[] }>('/api/keys');
    if (!keys.ok) return errorPage(c, 500, keys.error.message);
    return c.redirect(keys.data.keys.length === 0 ? '/validations' : '/clefs', 303);
  });

  portal.get('/clefs', auth, async (c) => {
    const [keys, renewals] = await Promise.all([
      c.var.api.get<{ keys: KeyRow[] }>('/api/keys'),
      c.var.api.get<{ renewals: RenewalSummary[] }>('/api/renewals'),
    ]);
    if (!keys.ok) return errorPage(c, 500, keys.error.message);
    if (!renewals.ok) return errorPage(c, 500, renewals.error.message);
    const open = new Map(
      renewals.data.renewals.filter((r) => !isTerminal(r.status)).map((r) => [r.keySerial, r]),
    );
    return render(c, {
      title: 'Mes clefs',
      section: 'clefs',
      children: (
        <>
          <h1>Mes clefs</h1>
          {keys.data.keys.length === 0 ? (
            <p>Vous n’avez aucune clef de sécurité enregistrée à votre nom.</p>
          ) : (
            <ul
              class="fr-grid-row fr-grid-row--gutters okey-cards"
              aria-label="Mes clefs de sécurité"
            >
              {[...keys.data.keys].sort(activeFirst).map((k) => (
                <li class="fr-col-12 fr-col-md-6">
                  <KeyCard k={k} request={open.get(k.serial)} />
                </li>
              ))}
            </ul>
          )}
          <h2 class="fr-mt-6w">Mes demandes</h2>
          {renewals.data.renewals.length === 0 ? (
            <p>Vous n’avez encore fait aucune demande de renouvellement.</p>
          ) : (
            <Table caption="Mes demandes de renouvellement">
              <thead>
                <tr>
                  <th scope="col">Créée le</th>
                  <th scope="col">Clef</th>
                  <th scope="col">Type</th>
                  <th scope="col">État</th>
                </tr>
              </thead>
              <tbody>
                {renewals.data.renewals.map((r) => (
                  <tr>
                    <td>
                      <a href={`/demandes/${r.id}`}>{formatDateTime(r.createdAt)}</a>
                    </td>
                    <td>{r.keySerial}</td>
                    <td>{keyTypeLabels[r.keyType]}</td>
                    <td>
                      <StatusBadge status={r.status} />
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
}

const activeFirst = (a: KeyRow, b: KeyRow) =>
  Number(a.state !== 'active') - Number(b.state !== 'active') ||
  a.expiresOn.localeCompare(b.expiresOn);

function KeyState(props: { k: KeyRow }) {
  if (props.k.state === 'replaced') return <p class="fr-badge">Remplacée</p>;
  if (props.k.expired) return <p class="fr-badge fr-badge--error">Expirée</p>;
  return <p class="fr-badge fr-badge--success">Active</p>;
}

/** One key: few agents have more than two, so cards read better than a table on a phone. */
function KeyCard(props: { k: KeyRow; request: RenewalSummary | undefined }) {
  const { k, request } = props;
  const expiry = formatCalendarDay(k.expiresOn);
  const type = keyTypeLabels[k.type].toLowerCase();
  return (
    <div class="fr-card">
      <div class="fr-card__body">
        <div class="fr-card__content">
          <h2 class="fr-card__title">{`Clef ${type} ${k.serial}`}</h2>
          <p class="fr-card__desc">
            {k.expired ? `A expiré le ${expiry}.` : `Expire le ${expiry}.`}
            {request ? ' Une demande de renouvellement est en cours.' : ''}
          </p>
          <div class="fr-card__start">
            <KeyState k={k} />
          </div>
        </div>
        {request || k.state === 'active' ? (
          <div class="fr-card__footer">
            {request ? (
              <a class="fr-btn fr-btn--secondary" href={`/demandes/${request.id}`}>
                Voir la demande en cours
              </a>
            ) : (
              <a
                class="fr-btn"
                href={`/renouveler?clef=${k.serial}`}
                aria-label={`Renouveler ma clef ${k.serial}`}
              >
                Renouveler ma clef
              </a>
            )}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** The design system’s table, scrollable on small screens; the caption is for screen readers. */
export function Table(props: { caption: string; children: unknown }) {
  return (
    <div class="fr-table fr-table--no-caption">
      <div class="fr-table__wrapper">
        <div class="fr-table__container">
          <div class="fr-table__content">
            <table>
              <caption>{props.caption}</caption>
              {props.children}
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}
