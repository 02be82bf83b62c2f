import type { FormErrors } from './client.js';
import { Checkbox, Csrf, FormAlert, Radios, TextInput, Upload } from './forms.js';
import { type MobileOs, mobileOsLabels } from './labels.js';
import { type RenewalView, slotLabel } from './parts.js';

/** The steps where the agent fills something in, each in its own panel. */

export interface Charter {
  version: string;
  text: string;
  code: string;
  signed: boolean;
}

export interface Slot {
  id: string;
  startsAt: string;
  location: string;
}

export interface ActionProps {
  r: RenewalView;
  csrf: string;
  errors: FormErrors;
  values: Record<string, string>;
  charter?: Charter;
  slots?: Slot[];
  mailbox: string;
  agentEmail: string;
  /** Outside production no email really leaves: the agent can play its arrival instead. */
  simulateEmail: boolean;
  limits: { maxFiles: number; maxFileMb: number };
}

export function Panel(props: { title: string; children: unknown }) {
  return (
    <section class="okey-panel" aria-labelledby="a-faire">
      <h2 id="a-faire" class="fr-h4">
        {props.title}
      </h2>
      {props.children}
    </section>
  );
}

export function AddDocuments(props: ActionProps) {
  return (
    <Panel title="Ajoutez vos justificatifs">
      <p>
        Tant que les justificatifs ne sont pas joints, votre demande n’est pas envoyée à la personne
        chargée de la valider. Vous pouvez aussi annuler votre demande.
      </p>
      <FormAlert errors={props.errors} />
      <form
        method="post"
        action={`/demandes/${props.r.id}/documents`}
        enctype="multipart/form-data"
      >
        <Csrf token={props.csrf} />
        <Upload
          name="files"
          label="Justificatifs"
          error={props.errors.fields.files}
          maxFiles={props.limits.maxFiles}
          maxFileMb={props.limits.maxFileMb}
        />
        <button type="submit" class="fr-btn fr-icon-upload-line fr-btn--icon-left">
          Envoyer les justificatifs
        </button>
      </form>
    </Panel>
  );
}

export function ChooseMobile(props: ActionProps) {
  return (
    <Panel title="Choisissez le type de votre mobile">
      <p>
        Votre demande est validée. Votre clef logicielle sera installée sur votre téléphone mobile :
        indiquez son système pour obtenir les instructions d’installation.
      </p>
      <FormAlert errors={props.errors} />
      <form method="post" action={`/demandes/${props.r.id}/mobile`}>
        <Csrf token={props.csrf} />
        <Radios
          name="os"
          legend="Mon mobile est :"
          value={props.values.os}
          error={props.errors.fields.os}
          options={[
            { value: 'android', label: 'Android', hint: 'Samsung, Xiaomi, Google Pixel, Huawei…' },
            { value: 'ios', label: 'iOS (iPhone)', hint: 'Tous les iPhone' },
          ]}
        />
        <button type="submit" class="fr-btn">
          Valider mon choix
        </button>
      </form>
    </Panel>
  );
}

const stores: Record<MobileOs, { device: string; store: string }> = {
  android: { device: 'votre mobile Android', store: 'Google Play' },
  ios: { device: 'votre iPhone', store: 'l’App Store' },
};

export function SendEnrollmentEmail(props: ActionProps) {
  const os = (props.r.mobileOs ?? 'android') as MobileOs;
  const { device, store } = stores[os];
  // The reference in the subject lets the inbound matcher tell two of the agent's requests apart.
  const subject = `Installation de ma clef — ${props.r.reference}`;
  const mailto = `mailto:${props.mailbox}?subject=${encodeURIComponent(subject)}`;
  return (
    <Panel title="Installez l’application, puis envoyez le courriel d’activation">
      <p>{`Vous avez choisi : ${mobileOsLabels[os]}.`}</p>
      <ol>
        <li>
          {`Sur ${device}, ouvrez ${store} et installez l’application d’authentification OTP `}
          de l’académie.
        </li>
        <li>Ouvrez l’application : elle affiche l’identifiant d’installation de votre clef.</li>
        <li>
          {'Envoyez un courriel à '}
          <strong>{props.mailbox}</strong>
          {' en indiquant cet identifiant, '}
          <strong>{`depuis votre adresse académique ${props.agentEmail}`}</strong>
          {'. Indiquez la référence '}
          <strong>{props.r.reference}</strong>
          {' dans l’objet : votre adresse et cette référence permettent de rattacher '}
          le courriel à votre demande.
        </li>
      </ol>
      <p>
        <a class="fr-btn fr-btn--secondary fr-icon-mail-line fr-btn--icon-left" href={mailto}>
          {`Écrire à ${props.mailbox}`}
        </a>
      </p>
      <p class="fr-mb-0">
        Cette étape reste affichée tant que votre courriel n’est pas arrivé. Dès sa réception, la
        charte à signer apparaît sur cette page : rechargez-la quelques minutes après votre envoi.
      </p>
      {props.simulateEmail ? (
        <form method="post" action={`/demandes/${props.r.id}/courriel-demo`} class="fr-mt-3w">
          <Csrf token={props.csrf} />
          <p class="fr-text--sm">
            Environnement de démonstration : aucun courriel ne part vraiment d’ici.
          </p>
          <button type="submit" class="fr-btn fr-btn--tertiary">
            Simuler l’arrivée de mon courriel à la boîte OKEY
          </button>
        </form>
      ) : null}
    </Panel>
  );
}

export function SignCharter(props: ActionProps) {
  const lines = (props.charter?.text ?? '').split('\n').filter((l) => l.trim() !== '');
  const [title, ...rest] = lines;
  const body = rest.filter((l) => !l.startsWith('Code de signature'));
  return (
    <Panel title="Signez la charte d’utilisation">
      <p>
        Afin de disposer de votre clef, il est nécessaire de signer la charte. Lisez-la, reportez le
        code imprimé en bas de la charte et cochez la case « J’ai pris connaissance de la charte ».
      </p>
      <section class="okey-charter" aria-label="Texte de la charte">
        <h3 class="fr-h6">{title}</h3>
        {body.map((l) => (
          <p>{l}</p>
        ))}
        <p class="fr-mb-0">
          {'Code de signature : '}
          <span class="okey-charter__code">{props.charter?.code ?? ''}</span>
        </p>
      </section>
      <FormAlert errors={props.errors} />
      <form method="post" action={`/demandes/${props.r.id}/charte`}>
        <Csrf token={props.csrf} />
        <TextInput
          name="code"
          label="Code de signature"
          hint="Le code à 6 chiffres imprimé en bas de la charte"
          value={props.values.code}
          error={props.errors.fields.code}
          inputmode="numeric"
        />
        <Checkbox
          name="acknowledged"
          label="J’ai pris connaissance de la charte"
          checked={props.values.acknowledged === 'true'}
          error={props.errors.fields.acknowledged}
        />
        <button type="submit" class="fr-btn">
          Signer la charte
        </button>
      </form>
    </Panel>
  );
}

export function BookPickup(props: ActionProps) {
  const slots = (props.slots ?? []).slice(0, 12);
  return (
    <Panel title="Prenez rendez-vous pour retirer votre clef">
      <p>
        Votre nouvelle clef est prête. Choisissez un créneau pour venir la retirer ; munissez-vous
        de votre ancienne clef et d’une pièce d’identité.
      </p>
      <FormAlert errors={props.errors} />
      {slots.length === 0 ? (
        <p>Aucun créneau n’est disponible pour le moment. Revenez dans quelques jours.</p>
      ) : (
        <form method="post" action={`/demandes/${props.r.id}/rendez-vous`}>
          <Csrf token={props.csrf} />
          <Radios
            name="slotId"
            legend="Créneaux disponibles (heure de La Réunion)"
            value={props.values.slotId}
            error={props.errors.fields.slotId}
            options={slots.map((s) => ({
              value: s.id,
              label: slotLabel(s.startsAt),
              hint: s.location,
            }))}
          />
          <button type="submit" class="fr-btn">
            Réserver ce créneau
          </button>
        </form>
      )}
    </Panel>
  );
}
