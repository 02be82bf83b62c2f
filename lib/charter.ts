/**
 * The usage charter. Its text is versioned: a request records the version its agent signed.
 * The code printed on the last line is the request's own, drawn by the workflow.
 */
export const currentCharterVersion = '2023-03';

const charters: Record<string, string> = {
  '2023-03': [
    'Charte d’utilisation des clefs de sécurité OTP de l’académie de La Réunion',
    '',
    '1. La clef OTP est personnelle : elle ne doit être ni prêtée, ni cédée, ni partagée.',
    '2. Le code PIN associé à la clef est strictement confidentiel ; il ne doit jamais être noté à côté de la clef ni communiqué, y compris à la DSI.',
    '3. La clef donne accès depuis l’extérieur aux applications de gestion : elle ne doit être utilisée que pour les besoins du service.',
    '4. La perte, le vol ou tout soupçon de compromission de la clef doit être signalé sans délai à la DSI.',
    '5. Une clef logicielle est liée au mobile sur lequel elle est installée ; tout changement de mobile doit être signalé.',
    '6. À la fin de ses fonctions, l’agent restitue sa clef matérielle à la DSI.',
    '',
    'Pour signer la charte, veuillez saisir le code ci-dessous dans la zone prévue et cocher la case « J’ai pris connaissance de la charte ».',
  ].join('\n'),
};

export function charterText(version: string, code: string): string {
  const text = charters[version];
  if (!text) throw new Error(`Unknown charter version ${version}`);
  return `${text}\n\nCode de signature : ${code}`;
}
