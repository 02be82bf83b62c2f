/**
 * What DSI operators read in the Temporal Web UI: typed search attributes to filter on, a fixed
 * summary set at start and the current step as details. Ids, statuses and dates only: search
 * attributes are stored unencrypted, so no name or email ever goes here.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { formatReunion } from './calendar.js';
import { type KeyType, type RenewalStatus, statusLabels } from './steps.js';

export const okeyStatus = defineSearchAttributeKey('OkeyStatus', SearchAttributeType.KEYWORD);
export const okeyKeyType = defineSearchAttributeKey('OkeyKeyType', SearchAttributeType.KEYWORD);
export const okeyEstablishment = defineSearchAttributeKey(
  'OkeyEstablishment',
  SearchAttributeType.KEYWORD,
);
export const okeyStepSince = defineSearchAttributeKey(
  'OkeyStepSince',
  SearchAttributeType.DATETIME,
);

const attentionLabels = {
  no_approver: 'file des opérateurs : ni N+1 ni N+2 dans l’annuaire, décision de la DSI attendue',
  approval_stalled: 'file des opérateurs : validation bloquée, aucune décision dans les délais',
} as const;
export type Attention = keyof typeof attentionLabels;

/** The one-line summary given at start: key, type and establishment (UAI), never a name. */
export function workflowSummary(r: {
  keySerial: string;
  keyType: KeyType;
  establishmentUai: string | null;
}): string {
  const type = r.keyType === 'software' ? 'logicielle' : 'matérielle';
  return `Clef ${type} ${r.keySerial} — établissement ${r.establishmentUai ?? 'inconnu'}`;
}

/** Markdown shown as the workflow's current details: where it is, since when, and why. */
export function currentStepDetails(s: {
  status: RenewalStatus;
  stepSince: string;
  attention: Attention | null;
  lastEvent: { type: string; at: string } | null;
}): string {
  const lines = [
    `**${statusLabels[s.status]}** depuis le ${formatReunion(Date.parse(s.stepSince))} (heure de La Réunion)`,
  ];
  if (s.attention) lines.push(`⚠ ${attentionLabels[s.attention]}`);
  if (s.lastEvent) {
    lines.push(
      `Dernier événement : ${s.lastEvent.type}, le ${formatReunion(Date.parse(s.lastEvent.at))}`,
    );
  }
  return lines.join('\n\n');
}
