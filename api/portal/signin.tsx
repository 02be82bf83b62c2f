import { asc } from 'drizzle-orm';
import type { Hono } from 'hono';
import { people } from '../../db/schema.js';
import { apiClient, type Requester } from './client.js';
import { field, TextInput } from './forms.js';
import { render } from './layout.js';
import {
  closeSession,
  openSession,
  type PortalContext,
  type PortalEnv,
  safeReturn,
} from './session.js';

/**
 * The sign-in page. In development it lists the demo directory and signs in through
 * `/auth/dev-login`; an identity-federation sign-in replaces this file and calls `openSession`.
 */
export function registerSignIn(portal: Hono<PortalEnv>, app: Requester) {
  portal.get('/connexion', (c) => showSignIn(c, null));

  portal.post('/connexion', async (c) => {
    const body = await c.req.parseBody();
    const api = apiClient(app, null, c.var.requestId);
    const res = await api.post<{ token: string }>('/auth/dev-login', { uid: field(body, 'uid') });
    if (!res.ok) return showSignIn(c, res.error.message, 422);
    openSession(c, res.data.token);
    return c.redirect(safeReturn(field(body, 'retour')), 303);
  });

  portal.post('/deconnexion', (c) => {
    closeSession(c);
    return c.redirect('/connexion', 303);
  });
}

/** A large imported directory is reached by identifier instead of a list. */
const listed = 30;

async function showSignIn(c: PortalContext, error: string | null, status: 200 | 422 = 200) {
  const { config, db } = c.var.deps;
  const back = safeReturn(c.req.query('retour') ?? c.req.header('x-okey-return'));
  const directory = config.AUTH_DEV_LOGIN
    ? await db
        .select()
        .from(people)
        .orderBy(asc(people.lastName), asc(people.firstName))
        .limit(listed)
    : [];
  return render(c, {
    title: 'Connexion',
    status,
    children: (
      <div class="fr-grid-row fr-grid-row--center">
        <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <h1>Connexion à OKEY</h1>
          {back !== '/' ? (
            <p>Connectez-vous pour accéder à la page demandée.</p>
          ) : (
            <p>Connectez-vous pour renouveler votre clef de sécurité ou traiter une demande.</p>
          )}
          {error ? (
            <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert">
              <p>{error}</p>
            </div>
          ) : null}
          {config.AUTH_DEV_LOGIN ? (
            <>
              <div class="fr-alert fr-alert--info fr-mb-4w">
                <h2 class="fr-alert__title">Environnement de démonstration</h2>
                <p>
                  Choisissez la personne avec laquelle vous connecter. En production, la connexion
                  passe par la fédération d’identité de l’académie.
                </p>
              </div>
              <ul class="okey-signin-list">
                {directory.map((p) => (
                  <li class="fr-mb-2w">
                    <form method="post" action="/connexion">
                      <input type="hidden" name="uid" value={p.uid} />
                      <input type="hidden" name="retour" value={back} />
                      <button type="submit" class="fr-btn fr-btn--secondary">
                        {`${p.firstName} ${p.lastName}`}
                      </button>
                      <span class="fr-ml-2w fr-text--sm">{p.title}</span>
                    </form>
                  </li>
                ))}
              </ul>
              <form method="post" action="/connexion" class="fr-mt-4w">
                <input type="hidden" name="retour" value={back} />
                <TextInput
                  name="uid"
                  label="Ou l’identifiant d’une autre personne de l’annuaire"
                  hint="Par exemple : mpayet"
                />
                <button type="submit" class="fr-btn fr-btn--secondary">
                  Se connecter
                </button>
              </form>
            </>
          ) : (
            <div class="fr-alert fr-alert--warning">
              <p>
                La connexion n’est pas disponible : la fédération d’identité de l’académie n’est pas
                encore configurée pour OKEY.
              </p>
            </div>
          )}
        </div>
      </div>
    ),
  });
}
