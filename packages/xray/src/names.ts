// X-Ray accepts segment names of at most 200 characters made of Unicode letters and numbers,
// whitespace and `_ . : / % & # = + \ - @`; a document with any other character is rejected whole.

/** Longest name X-Ray accepts. */
export const MAX_NAME_LENGTH = 200;

const DISALLOWED = /[^\p{L}\p{N}\s_.:/%&#=+\\\-@]/gu;

/**
 * A name X-Ray accepts: disallowed characters become `_`, the result is cut to 200 characters
 * (never inside a surrogate pair), and an empty name becomes `anonymous`.
 */
export function sanitizeName(name: string): string {
  let clean = name.replace(DISALLOWED, '_');
  if (clean.length > MAX_NAME_LENGTH) {
    clean = clean.slice(0, MAX_NAME_LENGTH);
    if (/[\uD800-\uDBFF]$/.test(clean)) clean = clean.slice(0, -1);
  }
  return clean.trim() === '' ? 'anonymous' : clean;
}
