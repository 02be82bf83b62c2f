import {
  type ActionProps,
  AddDocuments,
  BookPickup,
  ChooseMobile,
  Panel,
  SendEnrollmentEmail,
  SignCharter,
} from './agent-forms.js';
import { formatDateTime } from './format.js';
import { keyTypeLabels } from './labels.js';
import { personByUid, type RenewalView } from './parts.js';

export type { ActionProps, Charter, Slot } from './agent-forms.js';

/** The one thing the agent has to do now, or what the request waits for. */
export function NextAction(props: ActionProps) {
  const { r } = props;
  switch (r.status) {
    case 'awaiting_attachments':
      return <AddDocuments {...props} />;
    case 'awaiting_approval':
      return <WaitingForApproval r={r} />;
    case 'awaiting_mobile_os':
      return <ChooseMobile {...props} />;
    case 'awaiting_enrollment_email':
      return <SendEnrollmentEmail {...props} />;
    case 'awaiting_charter':
      return <SignCharter {...props} />;
    case 'awaiting_assignment':
      return <WaitingForAssignment r={r} />;
    case 'awaiting_appointment':
      return <BookPickup {...props} />;
    case 'awaiting_pickup':
      return <Pickup r={r} />;
    case 'completed':
      return <Completed r={r} />;
    case 'rejected':
      return <Rejected r={r} />;
    case 'cancelled':
      return (
        <div class="fr-alert fr-alert--info fr-mb-4w">
          <h2 class="fr-alert__title">Demande annulée</h2>
          <p>
            Vous avez annulé cette demande. Vous pouvez en faire une nouvelle depuis « Mes clefs ».
          </p>
        </div>
      );
  }
}

function WaitingForApproval(props: { r: RenewalView }) {
  const { r } = props;
  const other = r.validator?.uid === r.n1?.uid ? r.n2 : r.n1;
  return (
    <Panel title="En attente de validation">
      <p>
        {r.validator
          ? `Votre demande est entre les mains de ${r.validator.name} (${r.validator.title}).`
          : 'Votre demande attend la décision de votre responsable hiérarchique.'}
        {other ? ` En son absence, ${other.name} (${other.title}) peut aussi l’approuver.` : null}
      </p>
      <p class="fr-mb-0">Vous recevrez un courriel dès que la décision sera prise.</p>
    </Panel>
  );
}

function WaitingForAssignment(props: { r: RenewalView }) {
  const hardware = props.r.keyType === 'hardware';
  return (
    <Panel title="Vous n’avez plus qu’à attendre que la DSI finalise les opérations">
      <ul class="fr-mb-2w">
        <li>Code PIN : rien à faire. Votre nouvelle clef gardera le code PIN de la précédente.</li>
        <li>En attente d’attribution de votre clef par la DSI.</li>
      </ul>
      <p class="fr-mb-0">
        {hardware
          ? 'Un courriel vous sera envoyé lorsque ce sera fait, afin que vous preniez ' +
            'rendez-vous pour récupérer votre clef.'
          : 'Un courriel vous sera envoyé lorsque ce sera fait.'}
      </p>
    </Panel>
  );
}

function Pickup(props: { r: RenewalView }) {
  const a = props.r.appointment;
  return (
    <Panel title="Votre clef vous attend">
      <p>
        {a
          ? `Rendez-vous le ${formatDateTime(a.startsAt)} (heure de La Réunion), ${a.location}.`
          : 'Votre rendez-vous de retrait est réservé.'}
      </p>
      <p class="fr-mb-0">
        Munissez-vous de votre ancienne clef et d’une pièce d’identité. Le code PIN de votre
        nouvelle clef sera identique à celui de la précédente.
      </p>
    </Panel>
  );
}

function Completed(props: { r: RenewalView }) {
  const { r } = props;
  return (
    <div class="fr-alert fr-alert--success fr-mb-4w">
      <h2 class="fr-alert__title">Votre nouvelle clef est prête</h2>
      <p>
        {`Votre nouvelle clef ${keyTypeLabels[r.keyType].toLowerCase()} ${r.newKeySerial ?? ''} `}
        {`remplace la clef ${r.keySerial}. `}
        Son code PIN est identique à celui de la précédente.
      </p>
    </div>
  );
}

function Rejected(props: { r: RenewalView }) {
  const { r } = props;
  const by = personByUid(r, r.decision?.by);
  const who = by ? `Refusée par ${by.name}` : 'Refusée';
  const when = r.decision ? ` le ${formatDateTime(r.decision.at)}` : '';
  return (
    <div class="fr-alert fr-alert--error fr-mb-4w">
      <h2 class="fr-alert__title">Votre demande a été refusée</h2>
      <p>{`${who}${when}. Motif : ${r.decision?.reason ?? 'non précisé'}`}</p>
      <p>
        <a href={`/renouveler?clef=${r.keySerial}`}>Faire une nouvelle demande pour cette clef</a>
      </p>
    </div>
  );
}
