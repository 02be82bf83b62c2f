/** Typed search attributes operators filter on in the Temporal UI. Never personal data. */
export const searchAttributes = {
  OkeyStatus: 'Keyword',
  OkeyKeyType: 'Keyword',
  OkeyEstablishment: 'Keyword',
  OkeyStepSince: 'Datetime',
} as const;

export const searchAttributeFlags = () =>
  Object.entries(searchAttributes).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
