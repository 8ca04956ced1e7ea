/** What to do when a value resolved from a secret reference appears in a successful answer's Data. */
export type SecretsInData = 'noEcho' | 'refuse';

/** The verdict on one answer's Data. */
export type DataVerdict =
  | { kind: 'clear' }
  | { kind: 'noEcho'; attributes: string[] }
  | { kind: 'refuse'; reason: string; attributes: string[] };

/**
 * Looks for any value resolved from a secret in `data` (in values and in attribute names, at any
 * depth, as a whole or inside a longer string) and says what the answer must do about it:
 * nothing, set `NoEcho` (the default), or answer FAILED (`'refuse'`). Data that the function sent
 * with `noEcho: true` itself is masked already and always passes.
 *
 * Matching is on the JSON text, the form CloudFormation receives, so a secret inside a number or a
 * key is found too. A secret transformed before it was returned (encoded, hashed) is not.
 */
export function checkSecretsInData(
  data: Record<string, unknown> | undefined,
  noEcho: boolean | undefined,
  secrets: readonly string[],
  mode: SecretsInData,
): DataVerdict {
  if (data === undefined || noEcho === true || secrets.length === 0) return { kind: 'clear' };
  const needles = secrets.filter((secret) => secret !== '').map((secret) => JSON.stringify(secret).slice(1, -1));
  const holds = (value: unknown): boolean => {
    const json = JSON.stringify(value) ?? '';
    return needles.some((needle) => json.includes(needle));
  };
  if (!holds(data)) return { kind: 'clear' };
  // The attribute names are logged; a name that is itself a secret is counted, not named.
  const attributes = Object.keys(data)
    .filter((name) => holds(name) || holds(data[name]))
    .map((name) => (holds(name) ? '(an attribute whose name is secret)' : name));
  if (mode === 'noEcho') return { kind: 'noEcho', attributes };
  return {
    kind: 'refuse',
    attributes,
    reason: `the Data attribute(s) ${attributes.join(', ')} hold a value resolved from a secret reference, and secretsInData is 'refuse'; return an identifier instead, or noEcho: true`,
  };
}
