/**
 * The short reference of a request, shown to the agent and put in the subject of the enrollment
 * email so that okey can tell apart two requests from the same sender: `OKEY-` and the first 8
 * hex digits of the renewal id.
 */
export const renewalReference = (renewalId: string) =>
  `OKEY-${renewalId.slice(0, 8).toUpperCase()}`;

/** The id prefix named by a reference found in a subject, e.g. "Re: OKEY-1a2b3c4d installé". */
export function referenceIn(subject: string): string | null {
  const match = /\bOKEY-([0-9A-F]{8})\b/i.exec(subject);
  return match?.[1] ? match[1].toLowerCase() : null;
}
