import { eq, inArray } from 'drizzle-orm';
import type { Hono, MiddlewareHandler } from 'hono';
import { people } from '../../db/schema.js';
import { isTerminal } from '../../workflows/steps.js';
import { approversOf } from '../routes/renewals.js';
import type { KeyRow, RenewalSummary } from './agent-keys.js';
import { type FormErrors, formErrors, noErrors } from './client.js';
import { formatCalendarDay } from './format.js';
import { Csrf, chosenFiles, FormAlert, field, Radios, Select, TextInput, Upload } from './forms.js';
import { keyTypeLabels, reasonLabels } from './labels.js';
import { errorPage, redirectWithNotice, render } from './layout.js';
import type { PortalContext, PortalEnv } from './session.js';

/** How the renewal form words what the API refuses. */
const wording = {
  keyType: 'Choisissez le type de clef : logicielle ou matérielle.',
  reason: 'Veuillez choisir un motif.',
  comment: 'Les précisions ne doivent pas dépasser 2 000 caractères.',
  validatorUid: 'Choisissez votre N+1 ou votre N+2.',
};

const hints = {
  files:
    'Sans justificatif, votre demande ne sera pas envoyée à la personne chargée de la valider ; ' +
    'vous pourrez en ajouter plus tard depuis la page de votre demande.',
  validator:
    'Vérifiez qu’il s’agit bien de votre responsable. ' +
    'S’il ou elle est absent(e), choisissez votre N+2.',
};

/** "Renouveler ma clef": key type, reason, documents and the validator, on one form. */
export function registerRenewPages(portal: Hono<PortalEnv>, auth: MiddlewareHandler<PortalEnv>) {
  portal.get('/renouveler', auth, (c) => showForm(c, c.req.query('clef') ?? '', {}, noErrors));

  portal.post('/renouveler', auth, async (c) => {
    const body = await c.req.parseBody({ all: true });
    const values = {
      keySerial: field(body, 'keySerial'),
      keyType: field(body, 'keyType'),
      reason: field(body, 'reason'),
      comment: field(body, 'comment').trim(),
      validatorUid: field(body, 'validatorUid'),
    };
    const form = new FormData();
    for (const [name, value] of Object.entries(values)) {
      if (value !== '' || name === 'keyType' || name === 'reason') form.append(name, value);
    }
    for (const file of chosenFiles(body)) form.append('files', file);
    const res = await c.var.api.post<{ id: string }>('/api/renewals', form);
    if (res.ok) {
      const ok = res.status === 201 ? 'creee' : 'existante';
      return redirectWithNotice(c, `/demandes/${res.data.id}`, ok);
    }
    const errors = formErrors(res.error, wording);
    if (errors.fields.files) {
      errors.fields.files += ' Sélectionnez de nouveau vos fichiers.';
    }
    return showForm(c, values.keySerial, values, errors, res.status);
  });
}

async function showForm(
  c: PortalContext,
  serial: string,
  values: Record<string, string>,
  errors: FormErrors,
  status = 200,
) {
  const [keys, renewals] = await Promise.all([
    c.var.api.get<{ keys: KeyRow[] }>('/api/keys'),
    c.var.api.get<{ renewals: RenewalSummary[] }>('/api/renewals'),
  ]);
  if (!keys.ok || !renewals.ok) return errorPage(c, 500, 'Vos clefs sont indisponibles.');
  const active = keys.data.keys.filter((k) => k.state === 'active');
  const key = active.find((k) => k.serial === serial) ?? (serial ? undefined : active[0]);
  if (!key) return errorPage(c, 404, 'Cette clef ne figure pas parmi vos clefs actives.');
  const open = renewals.data.renewals.find(
    (r) => r.keySerial === key.serial && !isTerminal(r.status),
  );
  if (open) return redirectWithNotice(c, `/demandes/${open.id}`, 'existante');

  const validators = await validatorsOf(c, c.var.me.uid);
  const { maxFiles, maxFileMb } = limitsOf(c);
  return render(c, {
    title: errors === noErrors ? 'Renouveler ma clef' : 'Erreur — Renouveler ma clef',
    section: 'clefs',
    status: status as 200,
    children: (
      <>
        <h1>Renouveler ma clef</h1>
        <p class="fr-text--lead">
          {`Clef ${keyTypeLabels[key.type].toLowerCase()} ${key.serial}, `}
          {`qui ${key.expired ? 'a expiré' : 'expire'} le ${formatCalendarDay(key.expiresOn)}.`}
        </p>
        <p class="fr-text--sm">Sauf mention contraire, tous les champs sont obligatoires.</p>
        <FormAlert errors={errors} />
        <div class="fr-grid-row">
          <form
            class="fr-col-12 fr-col-lg-8"
            method="post"
            action="/renouveler"
            enctype="multipart/form-data"
          >
            <Csrf token={c.var.csrf} />
            <input type="hidden" name="keySerial" value={key.serial} />
            <Radios
              name="keyType"
              legend="Type de la nouvelle clef"
              value={values.keyType ?? key.type}
              error={errors.fields.keyType}
              options={[
                {
                  value: 'software',
                  label: 'Logicielle',
                  hint: 'Une application sur votre téléphone mobile (Android ou iPhone).',
                },
                {
                  value: 'hardware',
                  label: 'Matérielle',
                  hint: 'Un petit boîtier à retirer au rectorat, sur rendez-vous.',
                },
              ]}
            />
            <Select
              name="reason"
              label="Motif de votre demande"
              placeholder="Veuillez choisir un motif"
              value={values.reason}
              error={errors.fields.reason}
              options={Object.entries(reasonLabels)}
            />
            <TextInput
              name="comment"
              label="Précisions (facultatif)"
              hint="Par exemple : les applications dont vous avez besoin hors du réseau académique."
              value={values.comment}
              error={errors.fields.comment}
              textarea
              maxlength={2000}
            />
            <Upload
              name="files"
              label="Justificatifs"
              hint={hints.files}
              error={errors.fields.files}
              maxFiles={maxFiles}
              maxFileMb={maxFileMb}
            />
            {c.var.me.isPermanentDirector ? (
              <div class="fr-callout fr-mb-4w">
                <p class="fr-callout__text">
                  Vous êtes directeur ou directrice d’école sur un poste définitif : votre demande
                  sera validée automatiquement.
                </p>
              </div>
            ) : validators.length > 0 ? (
              <Radios
                name="validatorUid"
                legend="Personne chargée de valider votre demande"
                hint={hints.validator}
                value={values.validatorUid || validators[0]?.uid}
                error={errors.fields.validatorUid}
                options={validators.map((v) => ({
                  value: v.uid,
                  label: `${v.name}, ${v.title}`,
                  hint: v.level === 'n1' ? 'Votre N+1' : 'Votre N+2',
                }))}
              />
            ) : null}
            <ul class="fr-btns-group fr-btns-group--inline-md">
              <li>
                <button type="submit" class="fr-btn">
                  Envoyer ma demande
                </button>
              </li>
              <li>
                <a class="fr-btn fr-btn--secondary" href="/clefs">
                  Revenir à mes clefs
                </a>
              </li>
            </ul>
          </form>
        </div>
      </>
    ),
  });
}

export const limitsOf = (c: PortalContext) => ({
  maxFiles: c.var.deps.config.UPLOAD_MAX_FILES,
  maxFileMb: c.var.deps.config.UPLOAD_MAX_FILE_MB,
});

/** The N+1 and N+2 the API will accept as validator, with their names, N+1 first. */
async function validatorsOf(c: PortalContext, uid: string) {
  const db = c.var.deps.db;
  const [me] = await db.select({ id: people.id }).from(people).where(eq(people.uid, uid));
  if (!me) return [];
  const { n1, n2 } = await approversOf(db, me.id);
  const levels = new Map<string, 'n1' | 'n2'>();
  if (n1) levels.set(n1.id, 'n1');
  if (n2) levels.set(n2.id, 'n2');
  if (levels.size === 0) return [];
  const rows = await db
    .select()
    .from(people)
    .where(inArray(people.id, [...levels.keys()]));
  return rows
    .map((p) => ({
      uid: p.uid,
      name: `${p.firstName} ${p.lastName}`,
      title: p.title,
      level: levels.get(p.id) as 'n1' | 'n2',
    }))
    .sort((a, b) => a.level.localeCompare(b.level));
}
