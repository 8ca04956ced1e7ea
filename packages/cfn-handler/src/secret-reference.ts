/** A parsed `{{resolve:secretsmanager:…}}` dynamic reference. */
export interface SecretReference {
  /** The reference as written in the template; not secret, so errors may name it. */
  text: string;
  /** Name or full ARN of the secret. */
  secretId: string;
  /** Top-level key of a JSON secret to read; the whole SecretString without it. */
  jsonKey?: string;
  /** Staging label, e.g. `AWSPREVIOUS`; exclusive with `versionId`. */
  versionStage?: string;
  /** Version id; exclusive with `versionStage`. */
  versionId?: string;
}

/** A dynamic reference that is malformed or cannot be resolved. The message names the reference, never its value. */
export class SecretReferenceError extends Error {
  override readonly name = 'SecretReferenceError';
  /** The reference as written. */
  readonly reference: string;

  constructor(reference: string, problem: string, options?: { cause?: unknown }) {
    super(`could not resolve ${reference}: ${problem}`, options);
    this.reference = reference;
  }
}

const OPEN = '{{resolve:secretsmanager:';
const REFERENCE = /\{\{resolve:secretsmanager:[^{}]*\}\}/g;
// A full secret ARN: arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME — seven segments.
const ARN_SEGMENTS = 7;

/**
 * Parses one reference, `{{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}`,
 * where secret-id is a name or an ARN and every segment after it is optional (empty segments keep
 * later ones in place, as in `…:SecretString:password::VERSION-ID}}`).
 *
 * @throws SecretReferenceError naming the reference when the grammar is not met.
 */
export function parseSecretReference(text: string): SecretReference {
  if (!text.startsWith(OPEN) || !text.endsWith('}}')) throw new SecretReferenceError(text, 'not a secretsmanager dynamic reference');
  const segments = text.slice(OPEN.length, -2).split(':');
  let idLength = 1;
  if (segments[0] === 'arn') {
    if (segments.length < ARN_SEGMENTS || segments[2] !== 'secretsmanager' || segments[5] !== 'secret') {
      throw new SecretReferenceError(text, 'the ARN is not a Secrets Manager secret ARN (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME)');
    }
    idLength = ARN_SEGMENTS;
  }
  const secretId = segments.slice(0, idLength).join(':');
  const rest = segments.slice(idLength);
  if (secretId === '' || segments[idLength - 1] === '') throw new SecretReferenceError(text, 'the secret id is empty');
  if (rest.length > 4) {
    throw new SecretReferenceError(text, 'too many segments; expected secret-id:SecretString:json-key:version-stage:version-id');
  }
  const [kind = '', jsonKey = '', versionStage = '', versionId = ''] = rest;
  if (kind !== '' && kind !== 'SecretString') {
    throw new SecretReferenceError(text, `the segment after the secret id must be "SecretString", got "${kind}"`);
  }
  if (versionStage !== '' && versionId !== '') {
    throw new SecretReferenceError(text, 'version-stage and version-id cannot both be given');
  }
  return {
    text,
    secretId,
    ...(jsonKey !== '' && { jsonKey }),
    ...(versionStage !== '' && { versionStage }),
    ...(versionId !== '' && { versionId }),
  };
}

/** Every reference in the strings of `value` (deeply), in order of appearance, each once. */
export function findSecretReferences(value: unknown): string[] {
  const found = new Set<string>();
  walkStrings(value, (text) => {
    for (const match of text.matchAll(REFERENCE)) found.add(match[0]);
    const opened = text.split(OPEN).length - 1;
    const closed = [...text.matchAll(REFERENCE)].length;
    if (opened !== closed) {
      const start = text.indexOf(OPEN);
      throw new SecretReferenceError(text.slice(start, start + 120), 'the reference is not closed with "}}" or contains braces');
    }
    return text;
  });
  return [...found];
}

function walkStrings(value: unknown, visit: (text: string) => string): unknown {
  if (typeof value === 'string') return visit(value);
  if (Array.isArray(value)) return value.map((item) => walkStrings(item, visit));
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = walkStrings(item, visit);
    return copy;
  }
  return value;
}

/** Reads the SecretString of a secret version; the resolver picks the JSON key. */
export type SecretStringReader = (reference: SecretReference) => Promise<string>;

function pick(reference: SecretReference, secretString: string): string {
  if (reference.jsonKey === undefined) return secretString;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new SecretReferenceError(reference.text, `the secret is not JSON, so the key "${reference.jsonKey}" cannot be read`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.hasOwn(parsed, reference.jsonKey)) {
    throw new SecretReferenceError(reference.text, `the secret has no top-level key "${reference.jsonKey}"`);
  }
  const picked = (parsed as Record<string, unknown>)[reference.jsonKey];
  return typeof picked === 'string' ? picked : JSON.stringify(picked);
}

/**
 * Replaces every reference in the strings of `value` (deeply; keys untouched) with its secret.
 * Each secret version is read once per call however many references name it.
 *
 * @returns the resolved copy, and every value that came from a secret (for redaction).
 * @throws SecretReferenceError naming the first reference that is malformed or cannot be read.
 */
export async function resolveSecretReferences<T>(
  value: T,
  read: SecretStringReader,
): Promise<{ value: T; secrets: string[] }> {
  const texts = findSecretReferences(value);
  if (texts.length === 0) return { value, secrets: [] };
  const references = texts.map(parseSecretReference);
  const versions = new Map<string, Promise<string>>();
  const resolved = new Map<string, string>();
  const secrets = new Set<string>();
  await Promise.all(
    references.map(async (reference) => {
      const version = JSON.stringify([reference.secretId, reference.versionStage, reference.versionId]);
      let secretString = versions.get(version);
      if (!secretString) {
        secretString = read(reference);
        versions.set(version, secretString);
      }
      let whole: string;
      try {
        whole = await secretString;
      } catch (error) {
        if (error instanceof SecretReferenceError) throw error;
        const problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new SecretReferenceError(reference.text, problem, { cause: error });
      }
      secrets.add(whole);
      const picked = pick(reference, whole);
      secrets.add(picked);
      resolved.set(reference.text, picked);
    }),
  );
  const copy = walkStrings(value, (text) => text.replace(REFERENCE, (match) => resolved.get(match) as string)) as T;
  return { value: copy, secrets: [...secrets].filter((secret) => secret !== '') };
}

/** `text` with every occurrence of every secret replaced by `****`, longest secret first. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) result = result.split(secret).join('****');
  return result;
}
