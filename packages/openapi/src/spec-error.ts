/**
 * Thrown at construction when the document cannot be read or uses something the router cannot
 * honour; the message names the JSON pointer of the offending part (`#/paths/~1pets/get/...`).
 */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}
