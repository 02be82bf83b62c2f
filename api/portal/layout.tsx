import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../context.js';
import { type FormErrors, formErrors } from './client.js';
import { confirmations } from './labels.js';
import type { RenewalView } from './parts.js';
import type { Me, PortalContext, PortalEnv } from './session.js';
import { assets } from './static.js';

type Section = 'clefs' | 'validations' | 'dsi';

interface PageOptions {
  title: string;
  section?: Section;
  status?: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;
  children: Child;
}

const noticeCookie = 'okey_notice';

/**
 * After a form succeeds: back to a page that confirms it once. The confirmation travels in a
 * short-lived cookie, so reloading the page does not show it again.
 */
export function redirectWithNotice(c: Context<PortalEnv>, path: string, notice: string) {
  setCookie(c, noticeCookie, notice, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 60 });
  return c.redirect(path, 303);
}

/** Renders a full page: header with the navigation of the signed-in person, content, footer. */
export async function render(c: Context<PortalEnv> | Context<AppEnv>, page: PageOptions) {
  const me = c.get('me' as never) as Me | undefined;
  let approvals = 0;
  if (me) {
    const waiting = await (c as Context<PortalEnv>).var.api.get<{ renewals: unknown[] }>(
      '/api/approvals',
    );
    approvals = waiting.ok ? waiting.data.renewals.length : 0;
  }
  const notice = getCookie(c, noticeCookie);
  if (notice) deleteCookie(c, noticeCookie, { path: '/' });
  const done = confirmations[notice ?? ''];
  const csrf = c.get('csrf' as never) as string | undefined;
  const html = (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no" />
        <meta name="format-detection" content="telephone=no,date=no,address=no,email=no,url=no" />
        <title>{`${page.title} — OKEY`}</title>
        <link rel="stylesheet" href={assets.dsfrCss} />
        <link rel="stylesheet" href={assets.iconsCss} />
        <link rel="stylesheet" href={assets.portalCss} />
        <link rel="icon" href={assets.faviconSvg} type="image/svg+xml" />
        <link rel="shortcut icon" href={assets.faviconIco} type="image/x-icon" />
        <link rel="apple-touch-icon" href={assets.appleTouchIcon} />
      </head>
      <body>
        <div class="fr-skiplinks">
          <nav class="fr-container" aria-label="Accès rapide">
            <ul class="fr-skiplinks__list">
              <li>
                <a class="fr-link" href="#contenu">
                  Contenu
                </a>
              </li>
              {me ? (
                <li>
                  <a class="fr-link" href="#navigation">
                    Menu
                  </a>
                </li>
              ) : null}
            </ul>
          </nav>
        </div>
        <Header me={me} csrf={csrf} section={page.section} approvals={approvals} />
        <main id="contenu" tabindex={-1} class="fr-container fr-py-5w">
          {done ? (
            <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-4w" role="status">
              <p>{done}</p>
            </div>
          ) : null}
          {page.children}
        </main>
        <Footer />
        <script type="module" src={assets.dsfrModule} />
        <script nomodule src={assets.dsfrNoModule} />
      </body>
    </html>
  );
  return c.html(`<!DOCTYPE html>${await html}`, page.status ?? 200);
}

function Header(props: { me?: Me; csrf?: string; section?: Section; approvals: number }) {
  const { me, csrf, section, approvals } = props;
  const current = (s: Section) => (section === s ? 'page' : undefined);
  return (
    <header class="fr-header">
      <div class="fr-header__body">
        <div class="fr-container">
          <div class="fr-header__body-row">
            <div class="fr-header__brand fr-enlarge-link">
              <div class="fr-header__brand-top">
                <div class="fr-header__logo">
                  <p class="fr-logo">
                    République
                    <br />
                    Française
                  </p>
                </div>
                {me ? (
                  <div class="fr-header__navbar">
                    <button
                      type="button"
                      class="fr-btn--menu fr-btn"
                      data-fr-opened="false"
                      aria-controls="menu"
                      aria-haspopup="menu"
                      id="bouton-menu"
                      title="Menu"
                    >
                      Menu
                    </button>
                  </div>
                ) : null}
              </div>
              <div class="fr-header__service">
                <a href="/" title="Accueil — OKEY, clefs de sécurité">
                  <p class="fr-header__service-title">OKEY</p>
                </a>
                <p class="fr-header__service-tagline">Clefs de sécurité des personnels</p>
              </div>
            </div>
            {me ? (
              <div class="fr-header__tools">
                <div class="fr-header__tools-links">
                  <ToolLinks me={me} csrf={csrf} />
                </div>
              </div>
            ) : null}
          </div>
        </div>
      </div>
      {me ? (
        // biome-ignore lint/a11y/useAriaPropsSupportedByRole: a dialog on phones, by the DSFR script
        <div class="fr-header__menu fr-modal" id="menu" aria-labelledby="bouton-menu">
          <div class="fr-container">
            <button type="button" class="fr-btn--close fr-btn" aria-controls="menu" title="Fermer">
              Fermer
            </button>
            <div class="fr-header__menu-links" />
            <nav class="fr-nav" id="navigation" aria-label="Menu principal">
              <ul class="fr-nav__list">
                <li class="fr-nav__item">
                  <a class="fr-nav__link" href="/clefs" aria-current={current('clefs')}>
                    Mes clefs
                  </a>
                </li>
                {approvals > 0 || section === 'validations' ? (
                  <li class="fr-nav__item">
                    <a
                      class="fr-nav__link"
                      href="/validations"
                      aria-current={current('validations')}
                    >
                      {`Demandes à valider (${approvals})`}
                    </a>
                  </li>
                ) : null}
                {me.isOperator ? (
                  <li class="fr-nav__item">
                    <a class="fr-nav__link" href="/dsi" aria-current={current('dsi')}>
                      File de la DSI
                    </a>
                  </li>
                ) : null}
              </ul>
            </nav>
          </div>
        </div>
      ) : null}
    </header>
  );
}

function ToolLinks(props: { me: Me; csrf?: string }) {
  return (
    <ul class="fr-btns-group">
      <li>
        <p class="fr-btn fr-icon-account-circle-line">
          {`${props.me.firstName} ${props.me.lastName}`}
        </p>
      </li>
      <li>
        <form method="post" action="/deconnexion">
          <input type="hidden" name="_csrf" value={props.csrf ?? ''} />
          <button type="submit" class="fr-btn fr-icon-logout-box-r-line">
            Se déconnecter
          </button>
        </form>
      </li>
    </ul>
  );
}

function Footer() {
  return (
    <footer class="fr-footer" id="pied-de-page">
      <div class="fr-container">
        <div class="fr-footer__body">
          <div class="fr-footer__brand fr-enlarge-link">
            <a href="/" title="Retour à l’accueil — OKEY">
              <p class="fr-logo">
                République
                <br />
                Française
              </p>
            </a>
          </div>
          <div class="fr-footer__content">
            <p class="fr-footer__content-desc">
              OKEY permet aux personnels de l’académie de renouveler leur clef de sécurité OTP, qui
              donne accès aux applications de gestion depuis l’extérieur du réseau académique.
            </p>
          </div>
        </div>
      </div>
    </footer>
  );
}

/** A page for what went wrong, in French, without any technical detail. */
export function errorPage(
  c: Context<PortalEnv> | Context<AppEnv>,
  status: PageOptions['status'],
  message: string,
) {
  const title = status === 404 ? 'Page introuvable' : 'Action impossible';
  return render(c, {
    title,
    status,
    children: (
      <>
        <h1>{title}</h1>
        <div class="fr-alert fr-alert--error fr-mb-4w">
          <p>{message}</p>
        </div>
        <p>
          <a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/">
            Retour à l’accueil
          </a>
        </p>
      </>
    ),
  });
}

export type Status = NonNullable<Parameters<typeof render>[1]['status']>;

/** Shows a request's page again, with the refusal's messages by their fields. */
export type ShowPage = (
  c: PortalContext,
  errors: FormErrors,
  values: Record<string, string>,
  status: Status,
) => Promise<Response>;

/**
 * The action forms of one page: each sends one action on the request named in the path to the
 * JSON API; on success it goes on to `next` with a notice, on refusal it shows the page again
 * with the API's message (or the page's `wording`) by the field.
 */
export function stepSubmitter(page: {
  next: (id: string) => string;
  show: ShowPage;
  wording?: Record<string, string>;
}) {
  return async (
    c: PortalContext,
    action: string,
    body: unknown,
    ok: string,
    values: Record<string, string>,
    wording = page.wording,
  ) => {
    const id = c.req.param('id') as string;
    const res = await c.var.api.post(`/api/renewals/${id}/${action}`, body);
    if (res.ok) return redirectWithNotice(c, page.next(id), ok);
    return page.show(c, formErrors(res.error, wording), values, res.status as Status);
  };
}

/** The request named in the path, read through the API; a refusal becomes the error page. */
export async function requestInPath(c: PortalContext): Promise<RenewalView | Response> {
  const res = await c.var.api.get<RenewalView>(`/api/renewals/${c.req.param('id')}`);
  return res.ok ? res.data : errorPage(c, res.status as Status, res.error.message);
}
